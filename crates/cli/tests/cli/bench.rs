//! End-to-end runs of `caisson bench` on the built binary. They check the
//! shape and consistency of the figures, never how fast anything is
//! (performance is measured by the benchmark itself, not by timed tests).

use serde_json::Value;

use crate::support::{fixture, path, run as caisson, temp_dir};

fn number(case: &Value, pointer: &str) -> f64 {
    case.pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{pointer} is not a number in {case:#}"))
}

#[test]
fn small_has_every_stage_a_ratio_and_a_peak() {
    let dir = temp_dir();
    let out = dir.path().join("bench.json");
    let run = caisson([
        "bench",
        "--sizes",
        "small",
        "--scaling",
        "none",
        "--time-limit",
        "60",
        "--format",
        "json",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let printed: Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("--out file")).expect("JSON");
    assert_eq!(printed, written);
    assert_eq!(printed["format"], "caisson-bench/1");
    assert!(printed["machine"]["cpus"].as_u64().unwrap_or(0) >= 1);
    // Issue 18's goals concern large, xl and the European base only.
    assert_eq!(printed["goals"], serde_json::json!([]));

    let cases = printed["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["case"], "small");
    assert_eq!(case["group"], "size");
    assert_eq!(case["mode"], "full");
    assert_eq!(case["shape"]["facilities"], 8);
    assert!(case["error"].is_null(), "{case:#}");
    assert!(
        ["optimal", "feasible"].contains(&case["status"].as_str().unwrap_or("")),
        "{case:#}"
    );
    assert!(number(case, "/scenario_mb") > 0.0);
    assert!(number(case, "/plan_mb") > 0.0);
    for stage in [
        "load",
        "build",
        "highs_load",
        "solve",
        "duals",
        "derive",
        "write",
    ] {
        let seconds = number(case, &format!("/stages/{stage}"));
        assert!(seconds > 0.0, "stage {stage}: {seconds}");
    }
    // The greedy baseline did not run in this case.
    assert!(case["stages"]["greedy"].is_null());

    // The stages happen one after the other inside the end-to-end time.
    let total = number(case, "/total_seconds");
    let stages: f64 = case["stages"]
        .as_object()
        .expect("stages")
        .values()
        .filter_map(Value::as_f64)
        .sum();
    assert!(stages <= total * 1.0001, "stages {stages} > total {total}");
    let highs = number(case, "/highs_seconds");
    let ratio = number(case, "/overhead_ratio");
    assert!((0.0..=1.0).contains(&ratio), "ratio {ratio}");
    assert!(
        ((total - highs) / total - ratio).abs() < 1e-9,
        "ratio {ratio}, total {total}, HiGHS {highs}"
    );

    let columns = number(case, "/columns");
    assert!(columns > 0.0 && number(case, "/rows") > 0.0);
    assert!(number(case, "/nonzeros") >= columns);

    if cfg!(target_os = "linux") {
        let peak = number(case, "/memory/peak_mib");
        assert!(peak > 0.0);
        // Every stage's peak and every resident set is within the peak.
        for pointer in [
            "/memory/start_mib",
            "/memory/after_load_mib",
            "/memory/before_highs_mib",
            "/memory/after_highs_load_mib",
            "/memory/stage_peaks_mib/load",
            "/memory/stage_peaks_mib/solve",
            "/memory/stage_peaks_mib/write",
        ] {
            let value = number(case, pointer);
            assert!(value > 0.0 && value <= peak, "{pointer} {value} vs {peak}");
        }
        let highs = number(case, "/memory/highs_mib");
        assert!(highs > 0.0 && highs <= peak);
        let ratio = number(case, "/memory/peak_over_highs");
        assert!((ratio - peak / highs).abs() < 1e-9);
    }
}

#[test]
fn greedy_and_file_cases_and_the_text_table() {
    let example = fixture("example.toml");
    let example = path(&example);
    let run = caisson([
        "bench",
        "--sizes",
        "small",
        "--greedy",
        "--build-only",
        "--scenario",
        example,
        "--quiet",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("case"), "{text}");
    // Build-only cases stop before the solver: no solve column at all.
    assert!(!lines[0].contains("solve s"), "{text}");
    assert!(
        lines[1].starts_with("small") && lines[1].ends_with("built"),
        "{text}"
    );
    assert!(
        lines[2].contains("greedy") && lines[2].ends_with("feasible"),
        "{text}"
    );
    assert!(
        lines[3].contains("example.toml") && lines[3].ends_with("built"),
        "{text}"
    );
}

#[test]
fn bad_options_and_files_are_invalid_input() {
    let missing = caisson(["bench", "--sizes", "none", "--scenario", "no-such.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such.toml"));

    let nothing = caisson(["bench", "--sizes", "none"]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("nothing to measure"));

    let malformed = fixture("malformed.toml");
    let malformed = path(&malformed);
    let broken = caisson(["bench", "--sizes", "none", "--scenario", malformed]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("malformed.toml"));

    assert_eq!(caisson(["bench", "--sizes", "huge"]).status.code(), Some(2));
    assert_eq!(
        caisson(["bench", "--sizes", "small", "--time-limit", "0"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn replan_reports_every_case_cold_and_warm_with_the_same_optimum() {
    let example = fixture("example.toml");
    let run = caisson([
        "bench",
        "--sizes",
        "none",
        "--replan",
        path(&example),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let printed: Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    assert_eq!(printed["format"], "caisson-bench/1");
    assert_eq!(printed["cases"].as_array().map(Vec::len), Some(0));
    let replan = &printed["replan"];
    let gap = number(replan, "/mip_gap");
    assert!(gap > 0.0, "{replan:#}");
    // The fixture has 4 lines, 4 demands and 2 policies: 4 + 4 + 2 cases.
    let cases = replan["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 10, "{replan:#}");
    let kinds: Vec<&str> = cases.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "capacity", "capacity", "capacity", "capacity", "demand", "demand", "demand", "demand",
            "policy", "policy"
        ]
    );
    for case in cases {
        assert_eq!(case["cold"]["how"], "cold", "{case:#}");
        assert_eq!(case["warm"]["how"], "reused", "{case:#}");
        assert!(case["cold"]["proven_by_lps"] == false, "{case:#}");
        assert!(case["warm"]["proven_by_lps"].is_boolean(), "{case:#}");
        assert!(number(case, "/cold/seconds") > 0.0);
        assert!(number(case, "/warm/seconds") > 0.0);
        let cold = number(case, "/cold/objective");
        let warm = number(case, "/warm/objective");
        let difference = (cold - warm).abs() / cold.abs().max(warm.abs()).max(1.0);
        assert!(difference <= gap + 1e-9, "{case:#}");
        assert!(
            (number(case, "/relative_difference") - difference).abs() < 1e-12,
            "{case:#}"
        );
        assert_eq!(case["within_gap"], true, "{case:#}");
    }
    assert!(number(replan, "/base/cold_seconds") > 0.0);
    assert!(number(replan, "/base/warm_seconds") > 0.0);
    assert_eq!(replan["goal"]["same_optimum"], true);
    // The verdict is consistent with the cases (whatever the timings).
    let slowest = cases
        .iter()
        .map(|c| number(c, "/warm/seconds"))
        .fold(0.0, f64::max);
    assert_eq!(number(replan, "/goal/max_warm_seconds"), slowest);
    assert_eq!(
        replan["goal"]["time_met"],
        slowest <= number(replan, "/goal/seconds")
    );
    let proven = cases
        .iter()
        .filter(|c| c["warm"]["proven_by_lps"] == true)
        .count();
    assert_eq!(replan["goal"]["proven_by_lps"], proven);
}

#[test]
fn replan_text_has_the_table_and_the_verdict() {
    let example = fixture("example.toml");
    let run = caisson([
        "bench",
        "--sizes",
        "none",
        "--replan",
        path(&example),
        "--quiet",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.starts_with("one-change re-plans of"), "{text}");
    assert!(text.contains("cold s") && text.contains("warm s"), "{text}");
    assert!(text.contains("policy") && text.contains("lifted"), "{text}");
    assert!(text.contains("goal (issue 18)"), "{text}");
    assert!(
        text.contains("same optimum as cold within the MIP gap: met"),
        "{text}"
    );
    // No size table without size cases.
    assert!(!text.contains("overhead:"), "{text}");

    let missing = caisson(["bench", "--sizes", "none", "--replan", "no-such.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such.toml"));
}

#[test]
fn before_rows_measure_the_earlier_path_beside_each_solved_case() {
    let example = fixture("example.toml");
    let run = caisson([
        "bench",
        "--sizes",
        "small",
        "--scenario",
        path(&example),
        "--before",
        "--relax-first",
        "always",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let printed: Value = serde_json::from_slice(&run.stdout).expect("JSON on stdout");
    assert_eq!(printed["options"]["before"], true);
    assert_eq!(printed["options"]["relax_first"], "always");
    assert_eq!(printed["options"]["seed"], 3);
    let cases = printed["cases"].as_array().expect("cases");
    let labels: Vec<&str> = cases.iter().filter_map(|c| c["case"].as_str()).collect();
    assert_eq!(labels.len(), 4, "{labels:?}");
    assert_eq!(labels[0], "small");
    assert_eq!(labels[1], "small (before)");
    assert!(labels[3].ends_with("(before)"), "{labels:?}");
    // The same optimum both ways, within the gap.
    for pair in cases.chunks(2) {
        assert_eq!(pair[0]["status"], "optimal", "{pair:#?}");
        assert_eq!(pair[1]["status"], "optimal", "{pair:#?}");
        let (after, before) = (
            number(&pair[0], "/objective"),
            number(&pair[1], "/objective"),
        );
        assert!(
            (after - before).abs() <= 2e-6 * after.abs().max(1.0),
            "{after} against {before}"
        );
    }
    let text = caisson([
        "bench", "--sizes", "small", "--before", "--seed", "3", "--quiet",
    ]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("small (before)"), "{text}");
    assert!(text.contains("seed 3"), "{text}");
}
