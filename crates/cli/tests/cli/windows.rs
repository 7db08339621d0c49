//! Time-windowed policies and routes (docs/windows.md) and political
//! switches (docs/uncertainty.md) end to end, on `fixtures/windows.toml`
//! (solved by hand below) and `fixtures/windows-political.toml`: `explain`,
//! `plan` and its CSV, `verify`, `risk`, `report`, `export`/`import` and
//! `simulate --without-political`.
//!
//! The hand solution of `windows.toml`: Ukraine needs 100 a month for six
//! months (lost if short, 1000 each). Serbia (cost 10 + transport 1, lead
//! 1) may ship only in departures before its neutrality binds (2026-03), so
//! it serves February and March (departures 2026-01 and 2026-02: the second
//! arrives inside the window, allowed since a shipment is judged at its
//! departure). Germany (cost 50 + 1, lead 0) serves January and April; its
//! route closes after 2026-04, so May and June are lost. Objective:
//! 200 x 1000 + 200 x 11 + 200 x 51 = 212,400.

use std::path::Path;

use serde_json::Value;

use crate::support::{both, fixture, path, read_json, run, stderr, stdout, temp_dir};

fn windows() -> std::path::PathBuf {
    fixture("windows.toml")
}

/// Runs `caisson ARGS`, asserting success, and returns stdout.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", both(&out));
    stdout(&out)
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("JSON on stdout")
}

/// Plans `windows.toml` into `dir/plan.json` (and CSV into `dir/csv`).
fn planned(dir: &Path) -> (String, Value) {
    let plan = dir.join("plan.json");
    let csv = dir.join("csv");
    let text = ok(&[
        "plan",
        path(&windows()),
        "--quiet",
        "--out",
        path(&plan),
        "--csv",
        path(&csv),
    ]);
    (text, read_json(&plan))
}

/// `(facility, departure, arrival)` of every shipment.
fn shipments(plan: &Value) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = plan["shipments"]
        .as_array()
        .expect("shipments")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().expect("label").to_owned();
            (text("facility"), text("period"), text("arrival"))
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn explain_shows_the_verdict_per_departure_period_and_the_policy_window() {
    let scenario = windows();
    let args = [
        "explain",
        path(&scenario),
        "--facility",
        "srb-plant",
        "--demand",
        "ukr",
    ];
    let text = ok(&args);
    // The headline means "allowed in every period"; the runs follow.
    assert!(text.contains("shipment srb-plant -> ukr: DENIED"), "{text}");
    assert!(text.contains("by departure period"), "{text}");
    assert!(
        text.contains("  2026-01..2026-02: allowed: no policy applies"),
        "{text}"
    );
    assert!(
        text.contains("  2026-03..2026-06: denied: srb-neutrality deny_export"),
        "{text}"
    );
    assert!(
        text.contains("srb-neutrality (scope SRB, binds 2026-03..2026-06) deny_export"),
        "{text}"
    );
    assert!(
        text.contains("departures allowed in: 2026-01..2026-02"),
        "{text}"
    );

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let e = json(&json_args);
    assert_eq!(e["allowed"], false);
    let runs = e["by_period"].as_array().expect("by_period");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(
        (&runs[0]["first"], &runs[0]["last"], &runs[0]["allowed"]),
        (&"2026-01".into(), &"2026-02".into(), &true.into())
    );
    assert_eq!(
        (&runs[1]["first"], &runs[1]["last"], &runs[1]["allowed"]),
        (&"2026-03".into(), &"2026-06".into(), &false.into())
    );
    assert!(runs[1]["reason"]
        .as_str()
        .expect("reason")
        .ends_with("; binds 2026-03..2026-06)"));
    assert_eq!(e["rules"][0]["checks"][0]["window"], "2026-03..2026-06");
    assert_eq!(e["open_periods"], "2026-01..2026-02");
}

#[test]
fn explain_shows_a_closing_route_although_every_policy_allows_the_flow() {
    let scenario = windows();
    let args = [
        "explain",
        path(&scenario),
        "--facility",
        "deu-plant",
        "--demand",
        "ukr",
    ];
    let text = ok(&args);
    assert!(
        text.contains("verdict: allowed: no policy applies"),
        "{text}"
    );
    assert!(
        text.contains("route DEU -> UKR: open for departures in 2026-01..2026-04 only"),
        "{text}"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let e = json(&json_args);
    assert_eq!(e["route_window"], "2026-01..2026-04");
    assert_eq!(e["open_periods"], "2026-01..2026-04");
    assert!(e.get("by_period").is_none(), "{e}");

    // The matrix lists the pairs open in some periods only.
    let matrix = ok(&["explain", path(&scenario), "--matrix"]);
    assert!(
        matrix.contains("open for departures in some periods only"),
        "{matrix}"
    );
    assert!(
        matrix.contains("srb-plant -> ukr  2026-01..2026-02"),
        "{matrix}"
    );
    assert!(
        matrix.contains("deu-plant -> ukr  2026-01..2026-04"),
        "{matrix}"
    );
}

#[test]
fn a_scenario_without_windows_explains_as_before() {
    let example = fixture("example.toml");
    let e = json(&[
        "explain",
        path(&example),
        "--facility",
        "srb-plant",
        "--demand",
        "ukr-direct",
        "--format",
        "json",
    ]);
    for key in ["by_period", "route_window", "open_periods"] {
        assert!(e.get(key).is_none(), "{key} in {e}");
    }
    assert!(e["rules"][0]["checks"][0].get("window").is_none(), "{e}");
    let matrix = ok(&["explain", path(&example), "--matrix"]);
    assert!(!matrix.contains("some periods only"), "{matrix}");
}

#[test]
fn the_plan_ships_only_in_open_departure_periods_as_solved_by_hand() {
    let dir = temp_dir();
    let (text, plan) = planned(dir.path());
    assert_eq!(plan["status"], "optimal");
    let objective = plan["objective"].as_f64().expect("objective");
    assert!((objective - 212_400.0).abs() < 1e-6, "{objective}");
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        shipments(&plan),
        vec![
            s("deu-plant", "2026-01", "2026-01"),
            s("deu-plant", "2026-04", "2026-04"),
            s("srb-plant", "2026-01", "2026-02"),
            // Leaves before the window, arrives inside it: allowed.
            s("srb-plant", "2026-02", "2026-03"),
        ]
    );
    // The compliance records carry the windows: the policy's and the
    // periods each pair is open in.
    let records = plan["compliance"].as_array().expect("compliance");
    let reason = |f: &str| {
        records
            .iter()
            .find(|r| r["facility"] == f)
            .and_then(|r| r["reason"].as_str())
            .expect("record")
            .to_owned()
    };
    let srb = reason("srb-plant");
    assert!(srb.contains("binds 2026-03..2026-06"), "{srb}");
    assert!(
        srb.ends_with("; open for departures in 2026-01..2026-02 only"),
        "{srb}"
    );
    let deu = reason("deu-plant");
    assert_eq!(
        deu,
        "no policy applies; open for departures in 2026-01..2026-04 only"
    );
    // So does the CSV.
    let csv = std::fs::read_to_string(dir.path().join("csv/compliance.csv")).expect("CSV");
    assert!(
        csv.contains("no policy applies; open for departures in 2026-01..2026-04 only"),
        "{csv}"
    );
    // "Why short?" names both: the policy's window and the closed route.
    assert!(text.contains("short in 2026-05..2026-06"), "{text}");
    assert!(
        text.contains("route DEU -> UKR is open for departures in 2026-01..2026-04 only"),
        "{text}"
    );
    assert!(text.contains("binds 2026-03..2026-06"), "{text}");
}

#[test]
fn verify_passes_the_plan_and_refuses_departures_in_closed_periods() {
    let dir = temp_dir();
    let (_, plan) = planned(dir.path());
    let scenario = windows();
    let plan_path = dir.path().join("plan.json");
    let out = run(["verify", path(&scenario), path(&plan_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));

    let edit = |facility: &str, from: &str, to: &str, arrival: &str| {
        let mut bad = plan.clone();
        let rows = bad["shipments"].as_array_mut().expect("shipments");
        let row = rows
            .iter_mut()
            .find(|r| r["facility"] == facility && r["period"] == from)
            .expect("the shipment to move");
        row["period"] = to.into();
        row["arrival"] = arrival.into();
        let file = dir.path().join(format!("{facility}-{to}.json"));
        std::fs::write(&file, bad.to_string()).expect("write the edited plan");
        file
    };

    // Serbia's February shipment moved to leave in March: the policy binds.
    let bad = edit("srb-plant", "2026-02", "2026-03", "2026-04");
    let out = run(["verify", path(&scenario), path(&bad), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let violations = report["violations"].as_array().expect("violations");
    let compliance = violations
        .iter()
        .find(|v| v["constraint"] == "compliance")
        .unwrap_or_else(|| panic!("no compliance violation: {violations:?}"));
    let detail = compliance["detail"].as_str().expect("detail");
    assert!(detail.contains("leaving 2026-03"), "{detail}");
    assert!(detail.contains("srb-neutrality deny_export"), "{detail}");
    assert!(detail.contains("binds 2026-03..2026-06"), "{detail}");
    assert_eq!(compliance["records"][0]["labels"]["period"], "2026-03");

    // Germany's April shipment moved to May: the route is closed.
    let bad = edit("deu-plant", "2026-04", "2026-05", "2026-05");
    let out = run(["verify", path(&scenario), path(&bad)]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "route: shipment deu-plant -> ukr leaving 2026-05: the route is closed in its \
             departure period (route DEU -> UKR is open for departures in 2026-01..2026-04 only)"
        ),
        "{text}"
    );
}

#[test]
fn risk_names_the_window_of_the_policy_it_prices() {
    let scenario = windows();
    let report = json(&["risk", path(&scenario), "--quiet", "--format", "json"]);
    let policies = report["analysis"]["policies"].as_array().expect("policies");
    assert_eq!(
        policies[0]["subject"],
        serde_json::json!({"kind": "policy", "policy": "srb-neutrality", "window": "2026-03..2026-06"})
    );
    let text = ok(&["risk", path(&scenario), "--quiet"]);
    assert!(
        text.contains("policy srb-neutrality (binds 2026-03..2026-06)"),
        "{text}"
    );
}

#[test]
fn the_report_and_the_spreadsheets_carry_the_windows() {
    let dir = temp_dir();
    let (_, _) = planned(dir.path());
    let scenario = windows();
    let plan = dir.path().join("plan.json");
    let html = dir.path().join("report.html");
    ok(&[
        "report",
        path(&plan),
        "--scenario",
        path(&scenario),
        "--out",
        path(&html),
    ]);
    let page = std::fs::read_to_string(&html).expect("report");
    assert!(page.contains("binds 2026-03..2026-06"));
    assert!(page.contains("open for departures in 2026-01..2026-04 only"));

    let sheets = dir.path().join("sheets");
    ok(&[
        "export",
        path(&scenario),
        "--plan",
        path(&plan),
        "--csv",
        path(&sheets),
    ]);
    let read = |name: &str| std::fs::read_to_string(sheets.join(name)).expect(name);
    let routes = read("routes.csv");
    assert!(routes.contains("since (period),until (period)"), "{routes}");
    assert!(routes.contains("DEU,UKR,0,1,2026-01,2026-04"), "{routes}");
    let policies = read("policies.csv");
    assert!(
        policies.contains("from (period),until (period)"),
        "{policies}"
    );
    assert!(policies.contains(",2026-03,2026-06"), "{policies}");
    assert!(read("plan_compliance.csv").contains("open for departures in 2026-01..2026-02 only"));

    // Imported back, the scenario plans to the same optimum.
    let back = dir.path().join("back.toml");
    ok(&["import", path(&sheets), "--out", path(&back)]);
    let replanned = dir.path().join("back.json");
    ok(&["plan", path(&back), "--quiet", "--out", path(&replanned)]);
    assert_eq!(
        read_json(&replanned)["objective"],
        read_json(&plan)["objective"]
    );
}

fn simulate(dir: &Path, name: &str, extra: &[&str]) -> (String, Value) {
    let scenario = fixture("windows-political.toml");
    let out = dir.join(format!("{name}.json"));
    let mut args = vec![
        "simulate",
        path(&scenario),
        "--samples",
        "8",
        "--seed",
        "11",
        "--threshold",
        "0.6",
        "--quiet",
        "--out",
        path(&out),
    ];
    args.extend(extra);
    let text = ok(&args);
    (text, read_json(&out))
}

#[test]
fn simulate_with_and_without_political_draws_the_rest_alike() {
    let dir = temp_dir();
    let (with_text, with) = simulate(dir.path(), "with", &[]);
    let (without_text, without) = simulate(dir.path(), "without", &["--without-political"]);
    let samples = |s: &Value| s["samples"].as_array().expect("samples").clone();
    let (a, b) = (samples(&with), samples(&without));
    assert_eq!(a.len(), 8);
    assert_eq!(a.len(), b.len());
    let mut delays = Vec::new();
    for (x, y) in a.iter().zip(&b) {
        // The demand and delay entries draw the same in both runs.
        assert_eq!(x["required"], y["required"]);
        assert_eq!(x["delayed_pairs"], y["delayed_pairs"]);
        delays.push(x["delayed_pairs"].as_u64().expect("count"));
        // The switch always happens (probability 1) and costs Germany's
        // April shipment: half of the demand is served instead of two
        // thirds, whatever the intensity.
        assert_eq!(x["political_switches"], 1);
        assert!(y.get("political_switches").is_none(), "{y}");
        let fill = |s: &Value| s["fill_rate"].as_f64().expect("fill rate");
        assert!((fill(x) - 0.5).abs() < 1e-9, "{x}");
        assert!((fill(y) - 4.0 / 6.0).abs() < 1e-9, "{y}");
        let short = |s: &Value| s["shortage"].as_f64().expect("shortage");
        assert!((short(x) - 1.5 * short(y)).abs() < 1e-6, "{x} {y}");
    }
    assert!(
        delays.contains(&0) && delays.contains(&1),
        "the delay draw varies: {delays:?}"
    );
    // Both runs report the distribution of shortage and, per demand, the
    // share of samples below the threshold.
    let p50 = |s: &Value| s["total"]["shortage"]["p50"].as_f64().expect("p50");
    assert!(p50(&with) > p50(&without));
    assert_eq!(with["demands"][0]["below_threshold"], 1.0);
    assert_eq!(without["demands"][0]["below_threshold"], 0.0);
    // The run without says which entry it left out.
    let political = |s: &Value| s["sources"][2].clone();
    assert_eq!(political(&without)["skipped"], true);
    assert!(political(&with).get("skipped").is_none());
    assert!(
        without_text.contains("germany-turns-away (political, not drawn: --without-political)"),
        "{without_text}"
    );
    assert!(
        with_text.contains("germany-turns-away (political)"),
        "{with_text}"
    );
}

#[test]
fn a_bad_political_entry_is_a_located_error_with_code_field_and_hint() {
    let dir = temp_dir();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!(
            "[scenario]\nextends = {:?}\n\n[[uncertainty]]\nid = \"serbia-turns-away\"\n\
             kind = \"political\"\nhazard = 0.2\nstart_policies = [\"srb-neutraliti\"]\n\
             close_routes = [\"DEU-UKR\"]\n",
            path(&windows())
        ),
    )
    .expect("write");
    let out = run(["simulate", path(&bad), "--samples", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error[unknown-policy]: unknown policy \"srb-neutraliti\" in `start_policies`"
        ),
        "{err}"
    );
    assert!(err.contains("bad.toml:8:"), "{err}");
    assert!(
        err.contains("hint: did you mean \"srb-neutrality\"?"),
        "{err}"
    );
    assert!(err.contains("error[bad-route]"), "{err}");
    assert!(err.contains("bad.toml:9:"), "{err}");
    assert!(err.contains("`close_routes`"), "{err}");
    assert!(err.contains("hint: write a route as \"FROM->TO\""), "{err}");
    // `validate --format json` gives the same codes with line and hint.
    let out = run(["validate", path(&bad), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let diagnostics = report[0]["diagnostics"].as_array().expect("diagnostics");
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "unknown-policy")
        .expect("unknown-policy");
    assert_eq!(unknown["line"], 8);
    assert_eq!(unknown["entity"], "uncertainty \"serbia-turns-away\"");
    assert_eq!(unknown["hint"], "did you mean \"srb-neutrality\"?");
}

#[test]
fn compare_sets_the_cases_windows_side_by_side() {
    let dir = temp_dir();
    // The same neutrality binding two months later: Serbia may also leave
    // in March and April, so only June is lost (100 x 1000 + 400 x 11 +
    // 100 x 51 = 109,500).
    let later = dir.path().join("later.toml");
    std::fs::write(
        &later,
        format!(
            "[scenario]\nextends = {:?}\nname = \"later\"\n\n[[policy]]\nid = \"srb-neutrality\"\n\
             scope = \"SRB\"\ndeny_export = [\"belligerent\"]\nfrom = \"2026-05\"\n",
            path(&windows())
        ),
    )
    .expect("write");
    let out = dir.path().join("compare.json");
    let text = ok(&[
        "compare",
        path(&windows()),
        path(&later),
        "--quiet",
        "--out",
        path(&out),
    ]);
    assert!(text.contains("time windows"), "{text}");
    assert!(
        text.contains("policy srb-neutrality  2026-03..2026-06  2026-05..2026-06"),
        "{text}"
    );
    assert!(
        text.contains("route DEU -> UKR       2026-01..2026-04  2026-01..2026-04"),
        "{text}"
    );
    let file = read_json(&out);
    let variant = &file["analysis"]["variants"][0];
    assert_eq!(variant["outcome"]["objective"], 109_500.0);
    assert_eq!(variant["delta"]["objective"], 109_500.0 - 212_400.0);
    assert_eq!(
        variant["outcome"]["windows"][0],
        serde_json::json!({"subject": "policy srb-neutrality", "periods": "2026-05..2026-06"})
    );
    // The report section (top level) has them as rows, and the report
    // embeds them (report.js draws them as a table under the comparison).
    assert_eq!(
        file["windows"][0],
        serde_json::json!({"subject": "policy srb-neutrality", "base": "2026-03..2026-06",
                           "values": ["2026-05..2026-06"]})
    );
    let html = dir.path().join("compare.html");
    ok(&["report", path(&out), "--out", path(&html)]);
    let page = std::fs::read_to_string(&html).expect("report");
    assert!(page.contains("2026-05..2026-06"));
    // A case without windows has no `windows` key.
    let example = fixture("example.toml");
    let plain = dir.path().join("plain.json");
    ok(&[
        "compare",
        path(&example),
        path(&example),
        "--quiet",
        "--out",
        path(&plain),
    ]);
    let plain = read_json(&plain);
    assert!(plain["analysis"]["base"].get("windows").is_none());
    assert!(plain.get("windows").is_none());
}
