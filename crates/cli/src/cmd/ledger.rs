//! `caisson ledger`: the transparency ledger's offline tools (platform spec
//! section 5).
//!
//! - `caisson ledger key --ledger-key FILE` prints the public key of the
//!   signing-key file (creating the file, mode 0600, when it is missing);
//! - `caisson ledger verify --log EXPORT.jsonl --key PUBLIC_KEY [--state FILE]`
//!   checks an export with only the pinned public key;
//! - `caisson ledger verify --server URL --key PUBLIC_KEY [--token T]
//!   [--state FILE]` fetches the export, checkpoint and proofs from a server's
//!   endpoints and checks them the same way;
//! - `caisson ledger export --server URL [--token T] [--out FILE]` writes the
//!   server's export.
//!
//! Exit codes: 0 verified, 1 verification failed (naming the first failing
//! index and why) or unreadable input, 2 usage error, 3 internal failure.

use std::path::PathBuf;

use anyhow::Context;

use caisson_ledger::checkpoint::{load_or_create_key_file, Checkpoint, PublicKey};
use caisson_ledger::export::{read_state, verify_with_state, write_state, VerifierState};
use caisson_ledger::merkle::{self, ConsistencyProof, InclusionProof};
use caisson_ledger::{verify_export, Summary, VerifyFailure};

use crate::exit::{CmdResult, Exit, Failure};
use crate::shell::Shell;

/// Arguments of `caisson ledger`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LedgerCommand {
    /// Print the public key of a ledger signing-key file (created with a new
    /// key, mode 0600, when missing).
    Key(KeyArgs),
    /// Verify a ledger export or a server's ledger with only the pinned
    /// public key; exit 1 naming the first index that fails.
    Verify(VerifyArgs),
    /// Write a server's ledger export (JSON lines, each entry in the form
    /// the token may read, the latest checkpoint last).
    Export(ExportArgs),
}

/// Arguments of `caisson ledger export`.
#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// A Caisson server's base URL.
    #[arg(long, value_name = "URL")]
    server: String,
    /// An API token, so that entries it may read come in full form.
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// Where to write the export (standard output when absent).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Arguments of `caisson ledger key`.
#[derive(Debug, clap::Args)]
struct KeyArgs {
    /// The signing-key file (JSON, format `caisson-ledger-key/1`).
    #[arg(long, value_name = "FILE")]
    ledger_key: PathBuf,
}

/// Arguments of `caisson ledger verify`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["log", "server"]))]
struct VerifyArgs {
    /// An export (JSON lines, the checkpoint on the last line).
    #[arg(long, value_name = "EXPORT.jsonl")]
    log: Option<PathBuf>,
    /// A Caisson server's base URL (e.g. https://caisson.example.org).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// The pinned Ed25519 public key (64 hex digits), obtained out of band;
    /// never taken from the server.
    #[arg(long, value_name = "PUBLIC_KEY")]
    key: String,
    /// An API token, so that entries it may read are checked in full form.
    #[arg(long, value_name = "T", requires = "server")]
    token: Option<String>,
    /// A state file keeping every checkpoint verified before; the log must
    /// be consistent with them. Created when missing, updated on success.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

/// Runs `caisson ledger`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    match &args.command {
        LedgerCommand::Key(args) => key(args, shell),
        LedgerCommand::Verify(args) => verify(args, shell),
        LedgerCommand::Export(args) => export(args, shell),
    }
}

fn export(args: &ExportArgs, shell: &mut Shell) -> CmdResult {
    let text = server::fetch_export(&args.server, args.token.as_deref())
        .map_err(Failure::InvalidInputMessage)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
        }
        None => shell.print(&text)?,
    }
    Ok(Exit::Success)
}

fn key(args: &KeyArgs, shell: &mut Shell) -> CmdResult {
    let existed = args.ledger_key.exists();
    let key = load_or_create_key_file(&args.ledger_key)
        .map_err(|e| Failure::InvalidInputMessage(e.to_string()))?;
    if !existed {
        shell.status(format_args!(
            "created {} with a new key",
            args.ledger_key.display()
        ));
    }
    shell.print(format_args!("{}\n", key.public()))?;
    Ok(Exit::Success)
}

fn failed(failure: &VerifyFailure, shell: &mut Shell) -> CmdResult {
    shell.print(format_args!("verification failed at {failure}\n"))?;
    Ok(Exit::InvalidInput)
}

fn verify(args: &VerifyArgs, shell: &mut Shell) -> CmdResult {
    let pinned = PublicKey::parse(&args.key).map_err(|e| Failure::Usage(format!("--key: {e}")))?;
    let state = match &args.state {
        Some(path) => Some(
            read_state(path, &pinned).map_err(|e| Failure::InvalidInputMessage(e.to_string()))?,
        ),
        None => None,
    };
    let (text, server) = match (&args.log, &args.server) {
        (Some(path), _) => std::fs::read_to_string(path)
            .map(|text| (text, None))
            .map_err(|e| format!("reading {}: {e}", path.display())),
        (None, Some(url)) => {
            server::fetch_export(url, args.token.as_deref()).map(|text| (text, Some(url.as_str())))
        }
        (None, None) => Err("give --log or --server".to_owned()),
    }
    .map_err(Failure::InvalidInputMessage)?;
    let verified: Result<(Summary, Option<VerifierState>), VerifyFailure> = match &state {
        Some(state) => verify_with_state(&text, &pinned, state).map(|(s, n)| (s, Some(n))),
        None => verify_export(&text, &pinned).map(|s| (s, None)),
    };
    let (summary, next) = match verified {
        Ok(v) => v,
        Err(failure) => return failed(&failure, shell),
    };
    if let Some(url) = server {
        let earlier = state
            .as_ref()
            .map(|s| s.checkpoints.as_slice())
            .unwrap_or_default();
        if let Err(failure) = server::check_proofs(url, &summary, earlier) {
            return failed(&failure, shell);
        }
    }
    if let (Some(path), Some(next)) = (&args.state, &next) {
        write_state(path, next).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let Checkpoint {
        size,
        root_hash,
        time,
        ..
    } = &summary.checkpoint;
    shell.print(format_args!(
        "ok: {size} entries ({} full, {} public), root {root_hash} at {time}, signed by the pinned key {pinned}\n",
        summary.full_entries, summary.public_entries
    ))?;
    if let Some(next) = &next {
        shell.print(format_args!(
            "consistent with {} checkpoint(s) kept in the state file\n",
            next.checkpoints.len()
        ))?;
    }
    Ok(Exit::Success)
}

/// The `--server` form, against the spec's section 6 endpoints (tested
/// against a loopback stand-in and against `caisson serve`).
mod server {
    use super::*;

    fn get(url: &str, token: Option<&str>) -> Result<String, String> {
        let mut request = ureq::get(url);
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|e| format!("GET {url}: {e}"))?;
        response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| format!("GET {url}: {e}"))
    }

    fn base(url: &str) -> &str {
        url.trim_end_matches('/')
    }

    /// `GET /api/v1/ledger/export`.
    pub fn fetch_export(url: &str, token: Option<&str>) -> Result<String, String> {
        get(&format!("{}/api/v1/ledger/export", base(url)), token)
    }

    fn fail(index: Option<u64>, why: String) -> VerifyFailure {
        VerifyFailure { index, why }
    }

    /// Checks the server's checkpoint, every inclusion proof, and the
    /// consistency proof from every checkpoint kept before.
    pub fn check_proofs(
        url: &str,
        summary: &Summary,
        earlier: &[Checkpoint],
    ) -> Result<(), VerifyFailure> {
        let base = base(url);
        let size = summary.size;
        let text = get(
            &format!("{base}/api/v1/ledger/checkpoint?size={size}"),
            None,
        )
        .map_err(|e| fail(None, e))?;
        let checkpoint: Checkpoint = serde_json::from_str(&text)
            .map_err(|e| fail(None, format!("the server's checkpoint: {e}")))?;
        if checkpoint.root_hash != summary.checkpoint.root_hash || checkpoint.size != size {
            return Err(fail(
                None,
                "the server's checkpoint of this size differs from the export's".into(),
            ));
        }
        for index in 0..size {
            let text = get(
                &format!("{base}/api/v1/ledger/proof/inclusion?index={index}&size={size}"),
                None,
            )
            .map_err(|e| fail(Some(index), e))?;
            let proof: InclusionProof = serde_json::from_str(&text)
                .map_err(|e| fail(Some(index), format!("inclusion proof: {e}")))?;
            let leaf = summary.leaf_hashes.get(index as usize).copied();
            if proof.index != index || proof.size != size || Some(proof.leaf_hash) != leaf {
                return Err(fail(
                    Some(index),
                    "the inclusion proof is for another entry".into(),
                ));
            }
            proof
                .verify(&summary.checkpoint.root_hash)
                .map_err(|e| fail(Some(index), format!("inclusion proof: {e}")))?;
        }
        // The empty tree is consistent with every tree (and the server
        // answers 400 to a proof from size 0).
        for old in earlier.iter().filter(|c| c.size >= 1 && c.size <= size) {
            let text = get(
                &format!(
                    "{base}/api/v1/ledger/proof/consistency?from={}&to={size}",
                    old.size
                ),
                None,
            )
            .map_err(|e| fail(None, e))?;
            let proof: ConsistencyProof = serde_json::from_str(&text)
                .map_err(|e| fail(None, format!("consistency proof: {e}")))?;
            merkle::verify_consistency(
                old.size,
                size,
                &old.root_hash,
                &summary.checkpoint.root_hash,
                &proof.path,
            )
            .map_err(|e| {
                fail(
                    Some(old.size.saturating_sub(1)),
                    format!("consistency with the checkpoint of size {}: {e}", old.size),
                )
            })?;
        }
        Ok(())
    }
}
