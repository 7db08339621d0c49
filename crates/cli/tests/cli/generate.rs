//! End-to-end runs of `caisson generate` on the built binary.

use crate::support::{run as caisson, temp_dir};

#[test]
fn same_seed_same_file_and_it_validates() {
    let a = caisson(["generate", "--size", "small", "--seed", "4"]);
    let b = caisson(["generate", "--size", "small", "--seed", "4"]);
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, caisson(["generate", "--seed", "5"]).stdout);

    let dir = temp_dir();
    let path = dir.path().join("g.toml");
    let path_text = path.to_str().expect("utf-8 path");
    let out = caisson([
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
    let check = caisson(["validate", path_text]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let matrix = caisson(["explain", path_text, "--matrix"]);
    assert!(String::from_utf8_lossy(&matrix.stdout).contains('✗'));
}

#[test]
fn unknown_size_is_a_usage_error() {
    assert_eq!(
        caisson(["generate", "--size", "huge"]).status.code(),
        Some(2)
    );
}

/// `--format json` writes the same scenario as JSON: both files plan to the
/// same objective (compared through `plan --format json`).
#[test]
fn json_and_toml_encodings_are_the_same_scenario() {
    let dir = temp_dir();
    let toml_path = dir.path().join("g.toml");
    let json_path = dir.path().join("g.json");
    for path in [&toml_path, &json_path] {
        let out = caisson([
            "generate",
            "--seed",
            "2",
            "--out",
            path.to_str().expect("utf-8 path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let json_text = std::fs::read_to_string(&json_path).expect("json written");
    assert!(
        json_text.trim_start().starts_with('{'),
        "JSON chosen by extension"
    );
    let stdout_json = caisson(["generate", "--seed", "2", "--format", "json"]).stdout;
    assert_eq!(stdout_json, json_text.as_bytes(), "--format json on stdout");

    let objective = |path: &std::path::Path| -> f64 {
        let out = caisson([
            "plan",
            path.to_str().expect("utf-8 path"),
            "--method",
            "greedy",
            "--format",
            "json",
            "--quiet",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
        plan["objective"].as_f64().expect("objective")
    };
    assert_eq!(objective(&toml_path), objective(&json_path));
}
