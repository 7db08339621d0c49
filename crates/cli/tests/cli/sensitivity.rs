//! End-to-end tests of `caisson sensitivity` on the spec example with
//! assumption ranges added by a variant: the ranking is sorted and the
//! output is a tornado the report draws; the difference measure needs a
//! variant; planning ignores `[[assumption]]`. (The ranking itself is
//! checked against a hand computation in the analysis crate's tests.)

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{fixture, path, run as caisson_run};

fn caisson(args: &[&str]) -> std::process::Output {
    caisson_run(args)
}

/// The spec example with three assumption ranges, written next to `dir`.
fn with_assumptions(dir: &Path) -> PathBuf {
    let file = dir.join("assumed.toml");
    let text = format!(
        "[scenario]\nextends = {:?}\n\n\
         [[assumption]]\nid = \"plant\"\nreason = \"no volume published\"\nlow = 0.5\nhigh = 1.2\ncapacity = [\"deu-plant.shells\"]\n\n\
         [[assumption]]\nid = \"need\"\nreason = \"stated, not measured\"\nlow = 0.8\nhigh = 1.2\ndemands = [\"ukr-155\", \"ukr-mortar\"]\n\n\
         [[assumption]]\nid = \"depot\"\nreason = \"no quantity\"\nlow = 0\nhigh = 1.5\nstock = [\"deu-depot\"]\n",
        path(&fixture("example.toml"))
    );
    std::fs::write(&file, text).expect("write scenario");
    file
}

#[test]
fn the_output_is_a_ranked_tornado_the_report_draws() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = with_assumptions(dir.path());
    let (json, html, page2) = (
        dir.path().join("s.json"),
        dir.path().join("s.html"),
        dir.path().join("r.html"),
    );
    let out = caisson(&[
        "sensitivity",
        path(&scenario),
        "--end-user",
        "UKR",
        "--quiet",
        "--out",
        path(&json),
        "--report",
        path(&html),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("rank") && text.contains("need"), "{text}");
    // Unit counts in whole units on the terminal: no figure has decimals
    // (ranges such as x0.5-x1.5 are multipliers, not counts).
    let decimal_figure = |w: &str| {
        !w.starts_with('x')
            && w.contains('.')
            && w.starts_with(|c: char| c.is_ascii_digit() || c == '-')
    };
    assert!(!text.split_whitespace().any(decimal_figure), "{text}");
    let value: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("written")).expect("JSON");
    assert_eq!(value["format"], "caisson-sensitivity/1");
    let bars = value["bars"].as_array().expect("bars");
    assert_eq!(bars.len(), 3);
    let spans: Vec<f64> = value["analysis"]["assumptions"]
        .as_array()
        .expect("assumptions")
        .iter()
        .map(|a| a["span"].as_f64().expect("span"))
        .collect();
    assert!(spans.windows(2).all(|w| w[0] >= w[1]), "{spans:?}");
    // A need 20% higher cannot leave Ukraine less short.
    let need = bars.iter().find(|b| b["id"] == "need").expect("need");
    assert!(need["at_high"].as_f64() >= value["base"].as_f64(), "{need}");
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.contains("caisson-data") && page.contains("\"sensitivity\""));
    let out = caisson(&["report", path(&json), "--out", path(&page2)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_difference_measure_needs_a_variant_and_names_are_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = with_assumptions(dir.path());
    let out = caisson(&[
        "sensitivity",
        path(&scenario),
        "--measure",
        "difference",
        "--quiet",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = caisson(&[
        "sensitivity",
        path(&scenario),
        "--assumption",
        "nope",
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    let out = caisson(&["sensitivity", path(&fixture("example.toml")), "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "a scenario without assumptions");
}

#[test]
fn planning_ignores_assumptions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = with_assumptions(dir.path());
    let objective = |file: &Path| {
        let out = caisson(&["plan", path(file), "--format", "json", "--quiet"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
        value["objective"].as_f64().expect("objective")
    };
    assert_eq!(objective(&scenario), objective(&fixture("example.toml")));
}
