//! End-to-end runs of `caisson ledger key` and `caisson ledger verify --log`
//! on the built binary: a key file made by the CLI signs a log written with
//! the ledger crate; the untouched export verifies, a forged one fails at the
//! right index against the state kept by the first run.

use std::path::Path;
use std::process::{Command, Output};

use caisson_ledger::checkpoint::load_key_file;
use caisson_ledger::export::MemoryLedger;
use caisson_ledger::{Content, Kind, Leaf, Stage, Timestamp};
use serde_json::json;

fn caisson(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caisson"))
        .args(args)
        .output()
        .expect("run caisson")
}

fn text(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn leaf(n: u64) -> Leaf {
    let content = Content::parse(
        Kind::TransferReceived,
        &json!({"lot": format!("{n:032x}"), "quantity": 10 + n, "date": "2026-02-10"}),
        Stage::Stored,
    )
    .expect("content");
    let time = Timestamp::from_unix_millis(1_772_438_400_000 + n * 1000).expect("time");
    Leaf::new(&content, "cz-state", "jana", Some("r1"), time).expect("salt")
}

#[test]
fn key_prints_the_public_key_and_verify_checks_an_export_with_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("ledger.key");
    let first = caisson(&["ledger", "key", "--ledger-key", text(&key_file)]);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let public = stdout(&first).trim().to_owned();
    assert_eq!(public.len(), 64, "{public}");
    let again = caisson(&["ledger", "key", "--ledger-key", text(&key_file)]);
    assert_eq!(stdout(&again).trim(), public);

    let key = load_key_file(&key_file).expect("the CLI's key file loads");
    assert_eq!(key.public().to_hex(), public);
    let mut ledger = MemoryLedger::new(key);
    let leaves: Vec<Leaf> = (0..6).map(leaf).collect();
    for l in &leaves {
        ledger.append(l).expect("append");
    }
    let checkpoint_time = Timestamp::from_unix_millis(1_772_438_500_000).expect("time");
    let export = dir.path().join("export.jsonl");
    std::fs::write(&export, ledger.export(|_| true, checkpoint_time.clone())).expect("write");
    let state = dir.path().join("state.json");

    let out = caisson(&["ledger", "verify", "--log", text(&export), "--key", &public, "--state", text(&state)]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("ok: 6 entries (6 full, 0 public)"), "{}", stdout(&out));
    assert!(state.exists());

    // The operator deletes entry 2 and re-signs with the real key.
    let mut forged = MemoryLedger::new(load_key_file(&key_file).expect("key"));
    for (i, l) in leaves.iter().enumerate() {
        if i != 2 {
            forged.append(l).expect("append");
        }
    }
    let forged_export = dir.path().join("forged.jsonl");
    std::fs::write(&forged_export, forged.export(|_| true, checkpoint_time)).expect("write");
    // On its own the forgery is self-consistent ...
    let alone = caisson(&["ledger", "verify", "--log", text(&forged_export), "--key", &public]);
    assert_eq!(alone.status.code(), Some(0), "{}", stdout(&alone));
    // ... but not with the state kept from the first run.
    let out = caisson(&["ledger", "verify", "--log", text(&forged_export), "--key", &public, "--state", text(&state)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("verification failed at index 2"), "{}", stdout(&out));

    // Another pinned key: the checkpoint fails.
    let other = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let out = caisson(&["ledger", "verify", "--log", text(&export), "--key", other]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("verification failed at checkpoint"), "{}", stdout(&out));
    // A malformed key is a usage error.
    let out = caisson(&["ledger", "verify", "--log", text(&export), "--key", "nothex"]);
    assert_eq!(out.status.code(), Some(2));
}
