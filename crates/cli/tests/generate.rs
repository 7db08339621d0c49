//! End-to-end runs of `caisson generate` on the built binary.

use std::process::Command;

fn caisson(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caisson"))
        .args(args)
        .output()
        .expect("run caisson")
}

#[test]
fn same_seed_same_file_and_it_validates() {
    let a = caisson(&["generate", "--size", "small", "--seed", "4"]);
    let b = caisson(&["generate", "--size", "small", "--seed", "4"]);
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, caisson(&["generate", "--seed", "5"]).stdout);

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("g.toml");
    let path_text = path.to_str().expect("utf-8 path");
    let out = caisson(&[
        "generate",
        "--size",
        "medium",
        "--seed",
        "1",
        "--periods",
        "30",
        "--out",
        path_text,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = caisson(&["validate", path_text]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let matrix = caisson(&["explain", path_text, "--matrix"]);
    assert!(String::from_utf8_lossy(&matrix.stdout).contains('✗'));
}

#[test]
fn unknown_size_is_a_usage_error() {
    assert_eq!(
        caisson(&["generate", "--size", "huge"]).status.code(),
        Some(2)
    );
}
