//! The independent verifier `scripts/verify-ledger.py` (Python, written from
//! the spec alone) accepts an export written by this crate, with proofs of
//! both kinds, and rejects tampered ones at the right index.
//!
//! Python's `cryptography` package is used from the system when present;
//! otherwise it is installed with pip into a virtual environment under
//! `target/`, so that the test runs on a fresh Debian machine (as root, it
//! installs `python3` and `python3-venv` with apt-get first if they are
//! missing).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caisson_ledger::merkle::{consistency_proof, inclusion_proof};
use common::{sample_ledger, time};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/ledger is two levels below the workspace")
        .to_owned()
}

fn run(program: &Path, args: &[&str]) -> Option<Output> {
    Command::new(program).args(args).output().ok()
}

fn succeeds(program: &Path, args: &[&str]) -> bool {
    run(program, args).is_some_and(|o| o.status.success())
}

/// Runs `apt-get install -y PACKAGES` when we are root on a Debian-like
/// machine; returns whether it ran successfully.
fn apt_install(packages: &[&str]) -> bool {
    let root = run(Path::new("id"), &["-u"])
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root || !succeeds(Path::new("apt-get"), &["--version"]) {
        return false;
    }
    let _ = run(Path::new("apt-get"), &["update", "-q"]);
    let mut args = vec!["install", "-y", "-q"];
    args.extend_from_slice(packages);
    succeeds(Path::new("apt-get"), &args)
}

/// A Python interpreter that can import `cryptography`, found (or set up)
/// once for all tests of this file, which run in parallel.
fn python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(find_or_install_python).clone()
}

fn find_or_install_python() -> PathBuf {
    let system = PathBuf::from("python3");
    if !succeeds(&system, &["--version"]) {
        assert!(
            apt_install(&["python3"]),
            "python3 is missing and could not be installed"
        );
    }
    if succeeds(&system, &["-c", "import cryptography"]) {
        return system;
    }
    let venv = workspace_root().join("target").join("verify-ledger-venv");
    let venv_python = venv.join("bin").join("python3");
    if !succeeds(&venv_python, &["-c", "import cryptography"]) {
        let venv_text = venv.to_string_lossy().into_owned();
        if !succeeds(&system, &["-m", "venv", &venv_text]) {
            assert!(
                apt_install(&["python3-venv"]),
                "python3 -m venv failed and python3-venv could not be installed"
            );
            assert!(
                succeeds(&system, &["-m", "venv", &venv_text]),
                "python3 -m venv failed"
            );
        }
        let install = run(
            &venv_python,
            &["-m", "pip", "install", "-q", "cryptography"],
        )
        .expect("pip runs");
        assert!(
            install.status.success(),
            "pip install cryptography failed: {}",
            String::from_utf8_lossy(&install.stderr)
        );
    }
    venv_python
}

fn verify(python: &Path, dir: &Path, log: &str, key: &str, proofs: Option<&str>) -> (bool, String) {
    let log_path = dir.join("export.jsonl");
    std::fs::write(&log_path, log).expect("write export");
    let script = workspace_root().join("scripts").join("verify-ledger.py");
    let mut command = Command::new(python);
    command
        .arg(&script)
        .arg("--log")
        .arg(&log_path)
        .arg("--key")
        .arg(key);
    if let Some(proofs) = proofs {
        let proofs_path = dir.join("proofs.jsonl");
        std::fs::write(&proofs_path, proofs).expect("write proofs");
        command.arg("--proofs").arg(&proofs_path);
    }
    let output = command.output().expect("the script runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_python_verifier_accepts_the_log_and_rejects_tampering_at_the_right_index() {
    let python = python();
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = sample_ledger(11);
    let key = ledger.key().public().to_hex();
    // Entries 3 and 7 in public form, the rest in full form.
    let log = ledger.export(|e| e.index % 4 != 3, time(5000));

    let mut proofs = String::new();
    for (index, size) in [(0, 1), (0, 11), (5, 11), (10, 11), (6, 7)] {
        let proof = inclusion_proof(ledger.store(), index, size).expect("inclusion");
        proofs.push_str(&serde_json::to_string(&proof).expect("json"));
        proofs.push('\n');
    }
    for (from, to) in [(1, 11), (4, 11), (6, 11), (7, 8), (11, 11)] {
        let proof = consistency_proof(ledger.store(), from, to).expect("consistency");
        proofs.push_str(&serde_json::to_string(&proof).expect("json"));
        proofs.push('\n');
    }
    let (ok, out) = verify(&python, dir.path(), &log, &key, Some(&proofs));
    assert!(ok, "{out}");
    assert!(out.contains("ok: 11 entries"), "{out}");
    assert!(out.contains("10 proofs"), "{out}");

    // One byte of entry 4's content.
    let tampered: Vec<String> = log
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 4 {
                l.replacen("mortar-120", "mortar-121", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    let (ok, out) = verify(&python, dir.path(), &tampered.join("\n"), &key, None);
    assert!(!ok, "{out}");
    assert!(out.contains("index 4: the content does not match"), "{out}");

    // An entry deleted.
    let deleted: Vec<&str> = log
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| l)
        .collect();
    let (ok, out) = verify(&python, dir.path(), &deleted.join("\n"), &key, None);
    assert!(!ok, "{out}");
    assert!(out.contains("index 2: expected index 2"), "{out}");

    // Another key pinned.
    let other = caisson_ledger::LedgerKey::from_seed([1; 32])
        .public()
        .to_hex();
    let (ok, out) = verify(&python, dir.path(), &log, &other, None);
    assert!(!ok, "{out}");
    assert!(out.contains("checkpoint"), "{out}");

    // A proof with a flipped byte.
    let first = proofs.lines().nth(2).expect("proof");
    let mut proof: serde_json::Value = serde_json::from_str(first).expect("json");
    let path0 = proof["path"][0].as_str().expect("hex").to_owned();
    let flipped = format!(
        "{}{}",
        if path0.starts_with('0') { "1" } else { "0" },
        &path0[1..]
    );
    proof["path"][0] = serde_json::json!(flipped);
    let (ok, out) = verify(&python, dir.path(), &log, &key, Some(&proof.to_string()));
    assert!(!ok, "{out}");
    assert!(out.contains("proof 0"), "{out}");
}

#[test]
fn the_python_number_writer_agrees_with_rfc_8785_appendix_b() {
    let python = python();
    let table: String = caisson_ledger::canonical::RFC_8785_NUMBERS
        .iter()
        .map(|(bits, text)| format!("{bits} {text}\n"))
        .collect();
    let script = workspace_root().join("scripts").join("verify-ledger.py");
    let check = format!(
        "import importlib.util, struct, sys\n\
         spec = importlib.util.spec_from_file_location('v', {script:?})\n\
         v = importlib.util.module_from_spec(spec); spec.loader.exec_module(v)\n\
         v.MAX_EXACT = float('inf')\n\
         bad = [l for l in sys.stdin.read().splitlines() \
                if v.es_number(struct.unpack('>d', bytes.fromhex(l.split()[0]))[0]) != l.split()[1]]\n\
         print('mismatches', bad)\n",
        script = script.to_string_lossy()
    );
    let mut child = Command::new(&python)
        .args(["-c", &check])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(table.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("python ends");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert_eq!(text.trim(), "mismatches []");
}
