//! End-to-end tests of `caisson plan`: runs the binary on fixtures and
//! checks exit codes, the plan JSON's shape and the CSV export.

use std::path::Path;

use serde_json::Value;

use crate::support::{caisson, fixture, temp_dir};

#[test]
fn plan_writes_a_caisson_plan_document() {
    let dir = temp_dir();
    let out = dir.path().join("plan.json");
    let csv = dir.path().join("csv");
    let mps = dir.path().join("model.mps");
    let result = caisson()
        .arg("plan")
        .arg(fixture("example.toml"))
        .arg("--out")
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .arg("--write-model")
        .arg(&mps)
        .output()
        .expect("run caisson");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(stdout.contains("status    optimal"), "{stdout}");
    assert!(
        stdout.contains("deu-shells-2"),
        "expansions are summarised: {stdout}"
    );
    assert!(
        stdout.contains("cze-srb-mortar"),
        "contracts short are summarised: {stdout}"
    );

    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("plan file")).expect("JSON");
    assert_eq!(doc["format"], "caisson-plan/1");
    assert_eq!(doc["scenario"], "example");
    assert_eq!(doc["status"], "optimal");
    let objective = doc["objective"].as_f64().expect("objective");
    assert!((objective - 33_856_432_668.074_07).abs() <= 1e-6 * objective);
    assert_eq!(doc["mip_gap"].as_f64().map(|g| g <= 1e-6), Some(true));
    assert_eq!(doc["periods"].as_array().map(Vec::len), Some(12));
    assert_eq!(doc["periods"][0], "2026-01");
    let cost = &doc["cost"];
    let sum: f64 = [
        "shortage",
        "production",
        "transport",
        "holding",
        "capex",
        "contract",
    ]
    .iter()
    .map(|k| cost[k].as_f64().expect("cost term"))
    .sum();
    assert!((sum - objective).abs() <= 1e-6 * objective);

    let fields: &[(&str, &[&str])] = &[
        (
            "production",
            &["facility", "line", "product", "period", "quantity"],
        ),
        (
            "shipments",
            &[
                "facility", "demand", "product", "period", "arrival", "quantity",
            ],
        ),
        (
            "transfers",
            &["from", "to", "product", "period", "arrival", "quantity"],
        ),
        ("stock", &["facility", "product", "period", "quantity"]),
        (
            "expansions",
            &[
                "expansion",
                "facility",
                "line",
                "decided",
                "available",
                "fraction",
            ],
        ),
        (
            "demand",
            &[
                "demand",
                "period",
                "required",
                "delivered",
                "backlog",
                "lost",
            ],
        ),
        (
            "contracts",
            &["contract", "period", "committed", "shipped", "shortfall"],
        ),
        ("compliance", &["facility", "demand", "allowed", "reason"]),
        ("transfer_compliance", &["from", "to", "allowed", "reason"]),
    ];
    for (array, keys) in fields {
        let records = doc[array]
            .as_array()
            .unwrap_or_else(|| panic!("{array} is not an array"));
        assert!(!records.is_empty(), "{array} is empty");
        for record in records {
            for key in *keys {
                assert!(
                    record.get(key).is_some(),
                    "{array} record lacks {key}: {record}"
                );
            }
        }
    }
    // Serbia's neutrality denies the direct sale to Ukraine, naming the policy.
    let denied = doc["compliance"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|r| r["facility"] == "srb-plant" && r["demand"] == "ukr-direct")
        })
        .expect("srb-plant -> ukr-direct verdict");
    assert_eq!(denied["allowed"], false);
    assert!(denied["reason"]
        .as_str()
        .is_some_and(|r| r.contains("srb-neutrality") && r.contains("deny_export")));
    // The expansion is decided in the first half and available six months later.
    assert_eq!(doc["expansions"][0]["available"], "2026-07");
    let kpis = &doc["kpis"];
    assert_eq!(kpis["demands"].as_array().map(Vec::len), Some(4));
    assert_eq!(kpis["products"].as_array().map(Vec::len), Some(2));
    assert!(kpis["end_users"].as_array().is_some_and(|e| !e.is_empty()));

    assert!(csv.join("production.csv").exists() && csv.join("kpi_demands.csv").exists());
    let causes_csv =
        std::fs::read_to_string(csv.join("explanations.csv")).expect("explanations.csv");
    assert!(causes_csv.starts_with("demand,kind,text\n"), "{causes_csv}");
    assert!(causes_csv.contains("ukr-direct,denied,"), "{causes_csv}");
    let mps_text = std::fs::read_to_string(&mps).expect("model file");
    assert!(mps_text.contains("cap[deu-plant/shells,2026-01]"));
}

#[test]
fn plan_prints_json_on_request() {
    let result = caisson()
        .args(["plan", "--format", "json"])
        .arg(fixture("contract_shortfall.toml"))
        .output()
        .expect("run caisson");
    assert!(result.status.success());
    let doc: Value = serde_json::from_slice(&result.stdout).expect("JSON on stdout");
    assert_eq!(doc["status"], "optimal");
    assert_eq!(
        doc["objective"].as_f64().map(|o| (o - 42.0).abs() < 1e-6),
        Some(true)
    );
    assert_eq!(doc["mip_gap"].as_f64(), Some(0.0));
    // Only the contract's periods in the plan (2 of 3) have records.
    assert_eq!(doc["contracts"].as_array().map(Vec::len), Some(2));
}

#[test]
fn invalid_scenario_exits_1() {
    let dir = temp_dir();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[scenario]\nname = \"x\"\nstart = \"2026-01\"\nperiods = 0\nbogus = 1\n",
    )
    .expect("write");
    let out = dir.path().join("plan.json");
    let result = caisson()
        .arg("plan")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run caisson");
    assert_eq!(
        result.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(!result.stderr.is_empty());
    assert!(!out.exists(), "no plan for an invalid scenario");
}

#[test]
fn bad_options_exit_1() {
    let result = caisson()
        .args(["plan", "--time-limit=0"])
        .arg(fixture("example.toml"))
        .output()
        .expect("run caisson");
    assert_eq!(result.status.code(), Some(1));
}

#[test]
fn unknown_highs_options_exit_1_before_solving() {
    for bad in ["no_such_option=1", "mip_rel_gap=lots", "missing-equals"] {
        let result = caisson()
            .args(["plan", "--highs", bad])
            .arg(fixture("example.toml"))
            .output()
            .expect("run caisson");
        assert_eq!(result.status.code(), Some(1), "{bad}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("--highs"), "{bad}: {stderr}");
        assert!(result.stdout.is_empty(), "{bad}: planned anyway");
    }
}

/// The greedy start and HiGHS options change how the optimum is found,
/// never the optimum.
#[test]
fn solver_tuning_keeps_the_optimum() {
    let scenario = fixture("example.toml");
    let default = plan_json(&[], &scenario);
    assert_eq!(
        default["model"]["greedy_start"], true,
        "{}",
        default["model"]
    );
    for extra in [
        &["--no-start"][..],
        &["--highs", "mip_lp_solver=ipm", "--highs", "presolve=off"][..],
    ] {
        let tuned = plan_json(extra, &scenario);
        assert_eq!(tuned["status"], "optimal", "{extra:?}");
        let (a, b) = (
            default["objective"].as_f64().unwrap_or(f64::NAN),
            tuned["objective"].as_f64().unwrap_or(f64::NAN),
        );
        assert!(
            (a - b).abs() <= 1e-6 * a.abs().max(1.0),
            "{extra:?}: {a} vs {b}"
        );
    }
    let unstarted = plan_json(&["--no-start"], &scenario);
    assert_eq!(unstarted["model"]["greedy_start"], false);
}

/// Runs `caisson plan --format json` with extra arguments and returns the
/// plan document.
fn plan_json(extra: &[&str], scenario: &Path) -> Value {
    let result = caisson()
        .args(["plan", "--format", "json"])
        .args(extra)
        .arg(scenario)
        .output()
        .expect("run caisson");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    serde_json::from_slice(&result.stdout).expect("JSON on stdout")
}

fn entry<'a>(doc: &'a Value, demand: &str) -> Option<&'a Value> {
    doc["explanations"]
        .as_array()
        .and_then(|x| x.iter().find(|e| e["demand"] == demand))
}

#[test]
fn plan_json_explains_shortages_with_labels() {
    let doc = plan_json(&[], &fixture("example.toml"));
    let explanations = doc["explanations"].as_array().expect("explanations");
    // Exactly the demands the KPIs call short are explained.
    let short: Vec<&str> = doc["kpis"]["demands"]
        .as_array()
        .expect("kpis")
        .iter()
        .filter(|k| k["shortage"].as_f64().is_some_and(|s| s > 1e-6))
        .filter_map(|k| k["demand"].as_str())
        .collect();
    let explained: Vec<&str> = explanations
        .iter()
        .filter_map(|e| e["demand"].as_str())
        .collect();
    assert_eq!(explained, short);
    assert!(!explained.contains(&"deu-stockpile"), "fully delivered");

    // ukr-direct is bought by belligerent UKR; its only holder, srb-plant,
    // is denied by Serbia's neutrality, so nothing ever arrives.
    let direct = entry(&doc, "ukr-direct").expect("ukr-direct is short");
    assert_eq!(direct["first_short"], "2026-01");
    assert_eq!(direct["last_short"], "2026-12");
    assert_eq!(direct["short_periods"], 12);
    assert!(direct["text"]
        .as_str()
        .is_some_and(|t| t.contains("ukr-direct")));
    let causes = direct["causes"].as_array().expect("causes");
    assert!(causes.iter().any(|c| c["kind"] == "no_source"));
    let denied = causes
        .iter()
        .find(|c| c["kind"] == "denied")
        .expect("a denial among the causes");
    assert_eq!(denied["facility"], "srb-plant");
    assert_eq!(denied["actor"], "SRB");
    assert_eq!(denied["policy"], "srb-neutrality");
    assert_eq!(denied["list"], "deny_export");
    assert!(denied["text"]
        .as_str()
        .is_some_and(|t| t.contains("srb-neutrality")));

    // ukr-155's causes include a binding capacity, named by labels.
    let shells = entry(&doc, "ukr-155").expect("ukr-155 is short");
    let bound = shells["causes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["kind"] == "capacity_bound"))
        .expect("a capacity cause");
    assert!(bound["facility"].is_string() && bound["line"].is_string());
    assert!(bound["shadow_price"].as_f64().is_some_and(|p| p > 0.0));
    assert!(bound["periods"].as_array().is_some_and(|p| !p.is_empty()
        && p.iter()
            .all(|t| t.as_str().is_some_and(|t| t.starts_with("2026-")))));
    for e in explanations {
        assert!(e["omitted"].is_u64() && e["total_shortage"].is_f64(), "{e}");
        for c in e["causes"].as_array().expect("causes") {
            assert!(c["kind"].is_string() && c["text"].is_string(), "{c}");
        }
    }

    // The hints the HTML report reads from a plan file alone.
    let info = doc["demands_info"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["demand"] == "ukr-direct"))
        .expect("demands_info");
    assert_eq!(info["buyer"], "UKR");
    assert_eq!(info["end_user"], "UKR");
    assert_eq!(info["product"], "mortar-120");
    assert_eq!(info["backlog"], true);
    assert!(doc["facilities_info"].as_array().is_some_and(|f| f
        .iter()
        .any(|f| f["facility"] == "srb-plant" && f["actor"] == "SRB")));
}

#[test]
fn plan_greedy_writes_a_valid_worse_plan() {
    let optimal = plan_json(&[], &fixture("example.toml"));
    let greedy = plan_json(&["--method", "greedy"], &fixture("example.toml"));
    assert_eq!(greedy["format"], "caisson-plan/1");
    assert_eq!(greedy["method"], "greedy");
    assert_eq!(greedy["status"], "feasible");
    assert!(
        greedy["mip_gap"].is_null(),
        "unknown gap: {}",
        greedy["mip_gap"]
    );
    let objective = greedy["objective"].as_f64().expect("objective");
    let best = optimal["objective"].as_f64().expect("objective");
    assert!(objective >= best - 1e-6 * best, "{objective} < {best}");
    let sum: f64 = [
        "shortage",
        "production",
        "transport",
        "holding",
        "capex",
        "contract",
    ]
    .iter()
    .map(|k| greedy["cost"][k].as_f64().expect("cost term"))
    .sum();
    assert!((sum - objective).abs() <= 1e-6 * objective);
    for array in [
        "production",
        "shipments",
        "demand",
        "compliance",
        "explanations",
    ] {
        assert!(
            greedy[array].as_array().is_some_and(|a| !a.is_empty()),
            "{array}"
        );
    }
    assert_eq!(greedy["kpis"]["demands"].as_array().map(Vec::len), Some(4));
    assert!(entry(&greedy, "ukr-direct").is_some());

    let result = caisson()
        .args(["plan", "--method", "greedy"])
        .arg(fixture("example.toml"))
        .output()
        .expect("run caisson");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}");
    assert!(stdout.contains("method    greedy"), "{stdout}");
    assert!(
        stdout.contains("status    feasible (gap unknown)"),
        "{stdout}"
    );
}

#[test]
fn plan_summary_says_why_demands_are_short() {
    let result = caisson()
        .arg("plan")
        .arg(fixture("example.toml"))
        .output()
        .expect("run caisson");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}");
    assert!(stdout.contains("method    optimal"), "{stdout}");
    let why = stdout
        .split_once("\nwhy short?\n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no why-short section: {stdout}"));
    // After the demand table, before the expansions.
    assert!(stdout.find("\ndemands\n") < stdout.find("\nwhy short?\n"));
    let section = why.split("\n\n").next().unwrap_or_default();
    assert!(
        section.contains("  demand ukr-direct (mortar-120 for UKR) short in 2026-01..2026-12"),
        "{section}"
    );
    assert!(section.contains("srb-neutrality deny_export"), "{section}");
    assert!(!section.contains("deu-stockpile"), "{section}");
    // At most three causes per demand, the rest counted.
    let mut bullets = 0;
    for line in section.lines() {
        if line.starts_with("  demand ") {
            bullets = 0;
        } else if line.starts_with("    - ") {
            bullets += 1;
            assert!(bullets <= 3, "{section}");
        }
    }
    assert!(section.contains("more in the plan JSON)"), "{section}");
}

#[test]
fn aggregate_quarter_plans_quarters_and_says_it_is_an_approximation() {
    let doc = plan_json(&["--aggregate", "quarter"], &fixture("example.toml"));
    let periods: Vec<&str> = doc["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(periods, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    let method = doc["method"].as_str().expect("method");
    assert!(method.contains("approximation"), "{method}");
    // The monthly required total survives aggregation.
    let monthly = plan_json(&[], &fixture("example.toml"));
    let required = |d: &Value| -> f64 {
        d["kpis"]["products"]
            .as_array()
            .expect("products")
            .iter()
            .map(|p| p["required"].as_f64().expect("number"))
            .sum()
    };
    assert!((required(&doc) - required(&monthly)).abs() < 1e-6);

    let text = caisson()
        .args(["plan", "--aggregate", "quarter"])
        .arg(fixture("example.toml"))
        .output()
        .expect("run caisson");
    assert!(String::from_utf8_lossy(&text.stdout).contains("APPROXIMATION"));
}

#[test]
fn aggregate_of_a_quarterly_scenario_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("q.toml");
    let monthly = std::fs::read_to_string(fixture("lead_times.toml")).expect("fixture");
    std::fs::write(
        &path,
        monthly.replace(
            "start = \"2026-01\"",
            "start = \"2026-Q1\"\nperiod = \"quarter\"",
        ),
    )
    .expect("write");
    let result = caisson()
        .args(["plan", "--aggregate", "quarter"])
        .arg(&path)
        .output()
        .expect("run caisson");
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("monthly"));
}

#[test]
fn why_short_shows_whole_units_and_the_plan_json_keeps_exact_ones() {
    let dir = temp_dir();
    let out = dir.path().join("plan.json");
    let result = caisson()
        .arg("plan")
        .arg(fixture("fractional_shortage.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run caisson");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}");
    let why = stdout
        .split_once("\nwhy short?\n")
        .map_or("", |(_, rest)| rest);
    assert!(why.contains("(3 period(s), 14 units lost)"), "{stdout}");
    assert!(why.contains("(32 of 32 capacity units)"), "{stdout}");
    // The shadow price is money, not a count: it keeps its value.
    assert!(why.contains("would save up to 99 "), "{stdout}");

    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("plan JSON")).expect("JSON");
    let explanation = &doc["explanations"][0];
    let heading = explanation["text"].as_str().unwrap_or_default();
    assert!(
        heading.contains("(3 period(s), 14.25 units lost)"),
        "{heading}"
    );
    let cause = explanation["causes"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(cause.contains("(31.5 of 31.5 capacity units)"), "{cause}");
}

/// The text summary's solve time covers every HiGHS stage of the plan: with
/// the relaxation first it used to print only branch and bound's (0.00 s
/// when the relaxation proved the plan).
#[test]
fn plan_text_names_the_relaxation_first_and_counts_its_time() {
    let dir = temp_dir();
    for (mode, relaxation_line) in [("always", true), ("never", false)] {
        let out = dir.path().join(format!("{mode}.json"));
        let output = caisson()
            .arg("plan")
            .arg(fixture("example.toml"))
            .args(["--relax-first", mode, "--quiet", "--out"])
            .arg(&out)
            .output()
            .expect("run caisson");
        let stdout = crate::support::stdout(&output);
        assert!(output.status.success(), "{stdout}");
        assert_eq!(
            stdout.contains("(the LP relaxation first"),
            relaxation_line,
            "--relax-first {mode}: {stdout}"
        );
        let printed: f64 = stdout
            .split("solved in ")
            .nth(1)
            .and_then(|rest| rest.split('s').next())
            .and_then(|seconds| seconds.parse().ok())
            .unwrap_or_else(|| panic!("no solve time in {stdout}"));
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("plan written"))
                .expect("plan JSON");
        let model = &doc["model"];
        let seconds = |field: &str| model[field].as_f64().unwrap_or(0.0);
        let stages =
            seconds("relaxation_seconds") + seconds("solve_seconds") + seconds("dual_seconds");
        assert!(
            (printed - stages).abs() <= 0.006,
            "--relax-first {mode}: printed {printed} s, stages {stages} s: {model}"
        );
        assert_eq!(
            seconds("relaxation_seconds") > 0.0,
            relaxation_line,
            "{model}"
        );
    }
}
