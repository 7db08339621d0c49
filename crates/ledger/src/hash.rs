//! SHA-256 hashes as RFC 9162 section 2.1 uses them, and lowercase hex.

use std::fmt;

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The root of the empty tree: SHA-256 of the empty string.
    pub fn empty() -> Self {
        Self(Sha256::digest([]).into())
    }

    /// A leaf hash: SHA-256(0x00 || leaf bytes).
    pub fn leaf(bytes: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update([0x00]);
        hasher.update(bytes);
        Self(hasher.finalize().into())
    }

    /// A node hash: SHA-256(0x01 || left || right).
    pub fn node(left: &Hash, right: &Hash) -> Self {
        let mut hasher = Sha256::new();
        hasher.update([0x01]);
        hasher.update(left.0);
        hasher.update(right.0);
        Self(hasher.finalize().into())
    }

    /// Lowercase hex, as every ledger format writes hashes.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Parses 64 hex digits (either case is read; the ledger writes lowercase).
    pub fn from_hex(text: &str) -> Result<Self, HexError> {
        Ok(Self(from_hex_array(text)?))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A hex string that is not what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// Wrong number of digits.
    #[error("expected {expected} hex digits, found {found}")]
    Length {
        /// Digits expected.
        expected: usize,
        /// Digits found.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error("not a hex digit: {0:?}")]
    Digit(char),
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    text
}

/// Decodes exactly `N` bytes of hex.
pub fn from_hex_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() != 2 * N {
        return Err(HexError::Length {
            expected: 2 * N,
            found: chars.len(),
        });
    }
    let mut out = [0u8; N];
    for (i, pair) in chars.chunks(2).enumerate() {
        let high = digit(pair[0])?;
        let low = digit(pair[1])?;
        out[i] = (high << 4) | low;
    }
    Ok(out)
}

/// Whether `text` is exactly `bytes` bytes of lowercase hex.
pub fn is_lower_hex(text: &str, bytes: usize) -> bool {
    text.len() == 2 * bytes && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn digit(c: char) -> Result<u8, HexError> {
    c.to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
        .ok_or(HexError::Digit(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_and_leaf_hash_of_the_empty_leaf() {
        // RFC 6962 test vectors (transparency-dev/merkle testonly/constants.go).
        assert_eq!(
            Hash::empty().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            Hash::leaf(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let h = Hash::leaf(b"x");
        assert_eq!(Hash::from_hex(&h.to_hex()), Ok(h));
        assert!(matches!(Hash::from_hex("ab"), Err(HexError::Length { .. })));
        assert!(matches!(
            from_hex_array::<1>("zz"),
            Err(HexError::Digit('z'))
        ));
        assert!(is_lower_hex("00ff", 2));
        assert!(!is_lower_hex("00FF", 2));
    }
}
