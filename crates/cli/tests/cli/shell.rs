//! The reporter seen from outside: results on stdout, everything else on
//! stderr, a closed stdout is a silent success, the documented exit codes,
//! one set of solver flags, whole units on the terminal.

use std::io::Read;
use std::process::Stdio;

use serde_json::Value;

use crate::support::{caisson, fixture, path, run, stderr, stdout};

#[test]
fn a_closed_stdout_is_a_silent_success() {
    // A scenario far bigger than a pipe's buffer: the writer is still
    // writing when its reader goes away.
    let mut child = caisson()
        .args(["generate", "--size", "large"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run caisson");
    let mut head = [0_u8; 1024];
    let mut out = child.stdout.take().expect("piped stdout");
    out.read_exact(&mut head)
        .expect("the start of the scenario");
    drop(out);
    let output = child.wait_with_output().expect("caisson ends");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "nothing is said of the closed pipe");
    assert!(String::from_utf8_lossy(&head).contains("[scenario]"));
}

#[test]
fn help_and_version_go_to_stdout_and_usage_errors_exit_2() {
    let help = run(["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Exit codes:"), "{}", stdout(&help));
    assert!(stdout(&help).contains("3  internal failure"));
    assert_eq!(stderr(&help), "");

    let version = run(["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert!(stdout(&version).starts_with("caisson "));

    let missing = run(["plan"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(stdout(&missing), "");
    assert!(stderr(&missing).contains("Usage:"), "{}", stderr(&missing));

    let unknown = run(["no-such-command"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn arguments_clap_cannot_check_are_usage_errors_too() {
    let example = fixture("example.toml");
    let output = run(["simulate", path(&example), "--quantiles", "0.5,0.1"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "error: --quantiles must increase, e.g. 0.05,0.5,0.95\n"
    );
}

#[test]
fn json_is_alone_on_stdout_and_warnings_go_to_stderr() {
    // The example has no [[uncertainty]]: simulate warns, on stderr.
    let example = fixture("example.toml");
    let output = run([
        "simulate",
        path(&example),
        "--samples",
        "2",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["runs"], 2);
    assert!(
        stderr(&output).starts_with("warning: ")
            && stderr(&output).contains("no [[uncertainty]] entry"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn every_solving_command_has_the_same_solver_flags() {
    for command in [
        "plan",
        "compare",
        "risk",
        "simulate",
        "recommend",
        "report",
        "bench",
    ] {
        let help = stdout(&run([command, "--help"]));
        assert!(help.contains("Solver options:"), "{command}: {help}");
        for flag in [
            "--time-limit <S>",
            "--mip-gap <G>",
            "--threads <N>",
            "--no-start",
            "--highs <NAME=VALUE>",
        ] {
            assert!(help.contains(flag), "{command} has {flag}: {help}");
        }
        assert!(help.contains("[default: 0.000001]"), "{command}: {help}");
    }
}

#[test]
fn the_terminal_shows_whole_units() {
    let example = fixture("example.toml");
    let output = run(["plan", path(&example), "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let demands: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "demands")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(!demands.is_empty(), "{text}");
    for line in demands {
        // demand, required, delivered, fill (a rate: one decimal), backlog
        let columns: Vec<&str> = line.split_whitespace().collect();
        for units in [columns[1], columns[2], columns[columns.len() - 1]] {
            assert!(
                units.chars().all(|c| c.is_ascii_digit() || c == ','),
                "whole units in `{line}`"
            );
        }
        assert!(columns[3].ends_with('%'), "{line}");
    }
}
