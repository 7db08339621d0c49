//! End-to-end runs of `caisson validate` on the built binary.

use std::path::PathBuf;
use std::process::Output;

use crate::support::{caisson, fixture, spec_example as example};

fn validate(args: &[&str], files: &[PathBuf]) -> Output {
    caisson()
        .arg("validate")
        .args(args)
        .args(files)
        .output()
        .expect("run caisson")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn valid_file_prints_a_summary_and_exits_0() {
    let out = validate(&[], &[example()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("valid scenario \"example\""), "{stdout}");
    assert!(
        stdout.contains("horizon: 2026-01..2026-12 (12 months)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "actors: 5, blocs: 2, products: 3, facilities: 4, lines: 4, expansions: 1, routes: 1, demands: 4, contracts: 1, policies: 2"
        ),
        "{stdout}"
    );
}

#[test]
fn malformed_file_reports_every_error_and_exits_1() {
    let out = validate(&[], &[fixture("malformed.toml")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for expected in [
        "error[not-integer]: `periods` must be an integer",
        "error[unknown-actor]: unknown actor \"DE\" in `actor`",
        "= hint: did you mean \"DEU\"?",
        "error[unknown-field]: unknown field `capcity`",
        "= hint: did you mean `capacity`?",
        "error[missing-field]: missing required field `capacity`",
        "error[out-of-range]: `penalty` must be greater than 0",
        "malformed.toml:5:11",
        "= entity: facility \"plant\" line \"l\"",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(
        text(&out.stdout).contains("invalid (5 errors)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn json_output_has_one_object_per_file() {
    let out = validate(
        &["--format", "json"],
        &[example(), fixture("malformed.toml")],
    );
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    let files = value.as_array().expect("an array");
    assert_eq!(files.len(), 2);

    let good = &files[0];
    assert_eq!(good["valid"], true);
    assert_eq!(good["summary"]["name"], "example");
    assert_eq!(good["summary"]["periods"], 12);
    assert_eq!(good["summary"]["first"], "2026-01");
    assert_eq!(good["summary"]["counts"]["facilities"], 4);
    assert_eq!(good["diagnostics"].as_array().map(Vec::len), Some(0));

    let bad = &files[1];
    assert_eq!(bad["valid"], false);
    assert!(bad["summary"].is_null());
    let diagnostics = bad["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 5);
    let first = &diagnostics[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "not-integer");
    assert_eq!(first["line"], 5);
    assert_eq!(first["column"], 11);
    assert_eq!(first["entity"], "scenario");
    assert!(first["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("malformed.toml")));
}

#[test]
fn missing_file_is_invalid_input() {
    let out = validate(&[], &[fixture("does-not-exist.toml")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error[read-failed]"));
}
