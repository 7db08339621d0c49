//! Signed checkpoints (section 5) and the signing-key file.
//!
//! A checkpoint signs, with Ed25519, the UTF-8 bytes of
//! `"caisson-checkpoint/1\n" + N + "\n" + root_hash + "\n" + time + "\n"`.
//! Verifiers check it against a public key they pinned themselves, never the
//! `key` field the checkpoint carries (which only says which key signed).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::hash::{from_hex_array, is_lower_hex, to_hex, Hash};
use crate::time::Timestamp;

/// The text a checkpoint's signature covers.
pub fn signed_text(size: u64, root_hash: &Hash, time: &Timestamp) -> String {
    format!("caisson-checkpoint/1\n{size}\n{root_hash}\n{time}\n")
}

/// A signed tree head in the spec's format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Tree size N.
    pub size: u64,
    /// Root of the tree of the first N entries.
    pub root_hash: Hash,
    /// When it was signed (UTC, milliseconds).
    pub time: Timestamp,
    /// The signer's 32-byte Ed25519 public key, hex.
    pub key: String,
    /// The 64-byte Ed25519 signature, hex.
    pub signature: String,
}

/// Why a checkpoint is not valid under the pinned key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The checkpoint names another key than the pinned one.
    #[error("signed by key {found}, not the pinned key {pinned}")]
    OtherKey {
        /// The key the checkpoint names.
        found: String,
        /// The pinned key.
        pinned: String,
    },
    /// The signature field is not 64 bytes of lowercase hex.
    #[error("the signature is not 64 bytes of lowercase hex")]
    SignatureFormat,
    /// The signature does not verify.
    #[error("the signature does not verify under the pinned key")]
    BadSignature,
}

/// An Ed25519 public key, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// A public key that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an Ed25519 public key (64 lowercase hex digits): {0}")]
pub struct PublicKeyError(String);

impl PublicKey {
    /// Parses 64 lowercase hex digits (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, PublicKeyError> {
        let text = text.trim();
        if !is_lower_hex(text, 32) {
            return Err(PublicKeyError("expected 64 lowercase hex digits".into()));
        }
        let bytes: [u8; 32] = from_hex_array(text).map_err(|e| PublicKeyError(e.to_string()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| PublicKeyError(e.to_string()))
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        to_hex(self.0.as_bytes())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// The server's signing key.
pub struct LedgerKey(SigningKey);

impl fmt::Debug for LedgerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "LedgerKey(public {})", self.public())
    }
}

impl LedgerKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// The key of a 32-byte Ed25519 seed (tests and the key file).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs the checkpoint of a tree of `size` entries with `root_hash` at
    /// `time`.
    pub fn checkpoint(&self, size: u64, root_hash: Hash, time: Timestamp) -> Checkpoint {
        let signature = self.0.sign(signed_text(size, &root_hash, &time).as_bytes());
        Checkpoint {
            size,
            root_hash,
            time,
            key: self.public().to_hex(),
            signature: to_hex(&signature.to_bytes()),
        }
    }
}

impl Checkpoint {
    /// Verifies the signature against the `pinned` key.
    pub fn verify(&self, pinned: &PublicKey) -> Result<(), CheckpointError> {
        if self.key != pinned.to_hex() {
            return Err(CheckpointError::OtherKey {
                found: self.key.clone(),
                pinned: pinned.to_hex(),
            });
        }
        if !is_lower_hex(&self.signature, 64) {
            return Err(CheckpointError::SignatureFormat);
        }
        let bytes: [u8; 64] =
            from_hex_array(&self.signature).map_err(|_| CheckpointError::SignatureFormat)?;
        let signature = Signature::from_bytes(&bytes);
        pinned
            .0
            .verify_strict(
                signed_text(self.size, &self.root_hash, &self.time).as_bytes(),
                &signature,
            )
            .map_err(|_| CheckpointError::BadSignature)
    }
}

/// The format line of a key file.
pub const KEY_FILE_FORMAT: &str = "caisson-ledger-key/1";

/// The key file: JSON `{"format": "caisson-ledger-key/1", "algorithm":
/// "ed25519", "secret_key": HEX(32-byte seed), "public_key": HEX(32 bytes)}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFileBody {
    format: String,
    algorithm: String,
    secret_key: String,
    public_key: String,
}

/// A key file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading, creating or writing the file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a key file of this format.
    #[error("{path} is not a Caisson ledger key file: {why}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Group or others may read the secret key.
    #[error("{path} is readable by group or others (mode {mode:o}); run chmod 600 on it")]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// No randomness for a new key.
    #[error("no randomness for a new key: {0}")]
    Random(getrandom::Error),
}

fn io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> KeyFileError + 'a {
    move |source| KeyFileError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// Loads the key file at `path`.
pub fn load_key_file(path: &Path) -> Result<LedgerKey, KeyFileError> {
    let format = |why: &str| KeyFileError::Format {
        path: path.to_owned(),
        why: why.to_owned(),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)
            .map_err(io("reading", path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Permissions {
                path: path.to_owned(),
                mode: mode & 0o777,
            });
        }
    }
    let text = fs::read_to_string(path).map_err(io("reading", path))?;
    let body: KeyFileBody = serde_json::from_str(&text).map_err(|e| format(&e.to_string()))?;
    if body.format != KEY_FILE_FORMAT {
        return Err(format(&format!(
            "format is {:?}, expected {KEY_FILE_FORMAT:?}",
            body.format
        )));
    }
    if body.algorithm != "ed25519" {
        return Err(format("algorithm must be \"ed25519\""));
    }
    if !is_lower_hex(&body.secret_key, 32) {
        return Err(format("secret_key must be 64 lowercase hex digits"));
    }
    let seed: [u8; 32] = from_hex_array(&body.secret_key).map_err(|e| format(&e.to_string()))?;
    let key = LedgerKey::from_seed(seed);
    if key.public().to_hex() != body.public_key {
        return Err(format("public_key does not belong to secret_key"));
    }
    Ok(key)
}

/// Loads the key file at `path`, creating it with a new key (mode 0600)
/// when it does not exist.
///
/// Several servers may share one file and start at once: the new key is
/// written completely to a temporary file beside it and then hard-linked
/// into place, which fails if another process got there first; in that case
/// the other process's key is loaded. No process ever sees a partial file.
pub fn load_or_create_key_file(path: &Path) -> Result<LedgerKey, KeyFileError> {
    match fs::symlink_metadata(path) {
        Ok(_) => return load_key_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("reading", path)(e)),
    }
    let key = LedgerKey::generate().map_err(KeyFileError::Random)?;
    let body = KeyFileBody {
        format: KEY_FILE_FORMAT.into(),
        algorithm: "ed25519".into(),
        secret_key: to_hex(key.0.as_bytes()),
        public_key: key.public().to_hex(),
    };
    let text = serde_json::to_string_pretty(&body).map_err(|e| KeyFileError::Format {
        path: path.to_owned(),
        why: e.to_string(),
    })? + "\n";
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ledger-key".into());
    let suffix = crate::entry::new_id().map_err(KeyFileError::Random)?;
    let temp = dir.join(format!(".{name}.{suffix}.tmp"));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&temp).map_err(io("creating", &temp))?;
        file.write_all(text.as_bytes())
            .map_err(io("writing", &temp))?;
        file.sync_all().map_err(io("writing", &temp))?;
        match fs::hard_link(&temp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(io("creating", path)(e)),
        }
    })();
    // The temporary name is ours alone; failing to remove it leaves a stray
    // file but no wrong state, so the error is not worth reporting.
    let _ = fs::remove_file(&temp);
    if result? {
        Ok(key)
    } else {
        load_key_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time() -> Timestamp {
        Timestamp::parse("2026-03-02T08:00:00.000Z").expect("time")
    }

    #[test]
    fn signed_text_is_the_spec_text() {
        assert_eq!(
            signed_text(3, &Hash::empty(), &time()),
            "caisson-checkpoint/1\n3\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n2026-03-02T08:00:00.000Z\n"
        );
    }

    #[test]
    fn checkpoints_verify_only_under_the_pinned_key() {
        let key = LedgerKey::from_seed([7; 32]);
        let cp = key.checkpoint(3, Hash::empty(), time());
        assert_eq!(cp.verify(&key.public()), Ok(()));
        let other = LedgerKey::from_seed([8; 32]);
        assert!(matches!(
            cp.verify(&other.public()),
            Err(CheckpointError::OtherKey { .. })
        ));
        // A checkpoint re-labelled with the pinned key still fails.
        let mut forged = other.checkpoint(3, Hash::empty(), time());
        forged.key = key.public().to_hex();
        assert_eq!(
            forged.verify(&key.public()),
            Err(CheckpointError::BadSignature)
        );
        let mut resized = cp.clone();
        resized.size = 4;
        assert_eq!(
            resized.verify(&key.public()),
            Err(CheckpointError::BadSignature)
        );
        let json = serde_json::to_value(&cp).expect("json");
        let keys: Vec<&str> = json
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["size", "root_hash", "time", "key", "signature"]);
    }

    #[test]
    fn the_key_file_is_created_once_with_mode_0600_and_reloaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ledger.key");
        let first = load_or_create_key_file(&path).expect("created");
        let again = load_or_create_key_file(&path).expect("loaded");
        assert_eq!(first.public(), again.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(matches!(
                load_key_file(&path),
                Err(KeyFileError::Permissions { .. })
            ));
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let text = fs::read_to_string(&path).expect("read");
        assert!(text.contains(KEY_FILE_FORMAT));
        assert!(text.contains(&first.public().to_hex()));
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
        fs::write(&path, text.replace("ed25519", "rsa")).expect("write");
        assert!(matches!(
            load_key_file(&path),
            Err(KeyFileError::Format { .. })
        ));
    }

    #[test]
    fn concurrent_creation_yields_one_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shared.key");
        let keys: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| s.spawn(|| load_or_create_key_file(&path).map(|k| k.public().to_hex())))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread").expect("key"))
                .collect()
        });
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "{keys:?}");
    }

    #[test]
    fn public_keys_parse_from_hex() {
        let key = LedgerKey::from_seed([1; 32]);
        let text = key.public().to_hex();
        assert_eq!(PublicKey::parse(&format!(" {text}\n")), Ok(key.public()));
        assert!(PublicKey::parse(&text.to_uppercase()).is_err());
        assert!(PublicKey::parse("abcd").is_err());
    }
}
