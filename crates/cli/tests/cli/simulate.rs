//! End-to-end tests of `caisson simulate` on the spec example: zero
//! uncertainty reproduces the deterministic plan, one seed gives
//! byte-identical outputs whatever the thread count, the output is a
//! simulation the report accepts, and a bad `[[uncertainty]]` is a located
//! validation error.

use std::process::Output;

use crate::support::{self, fixture, path, read_json as json, temp_dir};

fn caisson(args: &[&str], threads: Option<&str>) -> Output {
    let mut command = support::caisson();
    command.args(args);
    if let Some(threads) = threads {
        command.env("RAYON_NUM_THREADS", threads);
    }
    command.output().expect("the binary runs")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn zero_uncertainty_equals_the_deterministic_plan() {
    let dir = temp_dir();
    let (plan, sim) = (dir.path().join("plan.json"), dir.path().join("sim.json"));
    let scenario = fixture("example-zero-uncertainty.toml");
    let out = caisson(
        &[
            "plan",
            path(&scenario),
            "--out",
            path(&plan),
            "--threads",
            "1",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = caisson(
        &[
            "simulate",
            path(&scenario),
            "--samples",
            "4",
            "--seed",
            "9",
            "--quiet",
            "--out",
            path(&sim),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (plan, sim) = (json(&plan), json(&sim));
    let objective = plan["objective"].as_f64().expect("objective");
    let kpis = plan["kpis"]["demands"].as_array().expect("demand KPIs");
    let summaries = sim["demands"].as_array().expect("demand summaries");
    assert_eq!(kpis.len(), summaries.len());
    assert_eq!(sim["solved"], 4);
    for s in sim["samples"].as_array().expect("samples") {
        let o = s["objective"].as_f64().expect("sample objective");
        assert!(
            close(o, objective),
            "sample objective {o} vs plan {objective}"
        );
    }
    for (k, d) in kpis.iter().zip(summaries) {
        assert_eq!(k["demand"], d["demand"]);
        let shortage = k["shortage"].as_f64().expect("shortage");
        for key in ["min", "p50", "max"] {
            let v = d["shortage"][key].as_f64().expect("percentile");
            assert!(
                close(v, shortage),
                "{}: {key} {v} vs plan {shortage}",
                d["demand"]
            );
        }
    }
}

#[test]
fn same_seed_gives_byte_identical_outputs_whatever_the_thread_count() {
    let dir = temp_dir();
    let scenario = fixture("example-uncertainty.toml");
    let run = |name: &str, threads: &str, seed: &str| {
        let (out, csv) = (
            dir.path().join(format!("{name}.json")),
            dir.path().join(format!("{name}.csv")),
        );
        let output = caisson(
            &[
                "simulate",
                path(&scenario),
                "--samples",
                "8",
                "--seed",
                seed,
                "--quiet",
                "--out",
                path(&out),
                "--csv",
                path(&csv),
            ],
            Some(threads),
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        (
            std::fs::read(&out).expect("JSON written"),
            std::fs::read(&csv).expect("CSV written"),
            output.stdout,
        )
    };
    let first = run("a", "1", "42");
    assert_eq!(first, run("b", "1", "42"), "run twice");
    assert_eq!(first, run("c", "3", "42"), "another thread count");
    assert_ne!(first.0, run("d", "2", "43").0, "another seed");
    // One CSV row per (sample, demand) after the header.
    let csv = String::from_utf8(first.1).expect("utf-8");
    assert_eq!(csv.lines().count(), 1 + 8 * 4);
}

#[test]
fn the_output_is_a_simulation_the_report_draws() {
    let dir = temp_dir();
    let (sim, html) = (dir.path().join("sim.json"), dir.path().join("sim.html"));
    let out = caisson(
        &[
            "simulate",
            path(&fixture("example-uncertainty.toml")),
            "--samples",
            "6",
            "--quantiles",
            "0.1,0.25,0.5,0.75,0.9",
            "--threshold",
            "0.5",
            "--quiet",
            "--out",
            path(&sim),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("p10 / p25 / p50 / p75 / p90"), "{text}");
    let value = json(&sim);
    assert_eq!(value["format"], "caisson-simulation/1");
    assert_eq!(value["runs"], 6);
    assert_eq!(value["periods"].as_array().map(Vec::len), Some(12));
    let series = value["series"].as_array().expect("series");
    assert!(!series.is_empty());
    for s in series {
        assert_eq!(s["values"].as_array().map(Vec::len), Some(5));
    }
    for d in value["demands"].as_array().expect("demands") {
        let p = d["below_threshold"].as_f64().expect("probability");
        assert!((0.0..=1.0).contains(&p));
        assert!(d["fill_rate"]["p25"].as_f64() <= d["fill_rate"]["p75"].as_f64());
    }
    let out = caisson(&["report", path(&sim), "--out", path(&html)], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.contains("shortage UKR shell-155"));
}

#[test]
fn a_bad_uncertainty_entry_is_a_located_validation_error() {
    let dir = temp_dir();
    let bad = dir.path().join("bad.toml");
    let base = fixture("example.toml");
    std::fs::write(
        &bad,
        format!(
            "[scenario]\nextends = {:?}\n\n[[uncertainty]]\nid = \"surge\"\nkind = \"demand\"\ndemands = [\"ukr-156\"]\ndistribution = \"uniform\"\nmin = 1\nmax = 2\n",
            path(&base)
        ),
    )
    .expect("write");
    let out = caisson(&["simulate", path(&bad), "--samples", "2"], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[unknown-demand]"), "{stderr}");
    assert!(stderr.contains("bad.toml:7:"), "{stderr}");
    assert!(stderr.contains("did you mean \"ukr-155\"?"), "{stderr}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let scenario = fixture("example-uncertainty.toml");
    for args in [
        vec!["--samples", "0"],
        vec!["--threshold", "1.5"],
        vec!["--quantiles", "0.5,0.2"],
    ] {
        let mut all = vec!["simulate", path(&scenario)];
        all.extend(args.iter().copied());
        let out = caisson(&all, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
