//! End-to-end tests of `caisson breakeven`: the `caisson-breakeven/1`
//! document, its CSV and HTML, determinism for a seed, the report reading
//! it, and clear errors for a bad entry, supplier or hazard.

use serde_json::Value;

use crate::support::{both, fixture, path as text, read_json, run as caisson, stderr, temp_dir};

fn base_args(hazards: &str) -> Vec<String> {
    [
        "breakeven",
        text(&fixture("breakeven.toml")),
        "--entry",
        "s-turns-away",
        "--supplier",
        "S",
        "--end-user",
        "U",
        "--hazards",
        hazards,
        "--samples",
        "2",
        "--seed",
        "3",
        "--price",
        "10",
        "--spot-price",
        "60",
        "--penalty",
        "0",
        "--quiet",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The analysis without its wall-clock time.
fn without_seconds(mut json: Value) -> Value {
    if let Some(analysis) = json.get_mut("analysis").and_then(Value::as_object_mut) {
        analysis.remove("seconds");
    }
    json
}

#[test]
fn document_csv_and_html_of_a_sweep() {
    let dir = temp_dir();
    let out = dir.path().join("breakeven.json");
    let csv = dir.path().join("breakeven.csv");
    let html = dir.path().join("breakeven.html");
    let mut args = base_args("0,0.5,1");
    args.extend(
        [
            "--format",
            "json",
            "--out",
            text(&out),
            "--csv",
            text(&csv),
            "--html",
            text(&html),
        ]
        .map(str::to_owned),
    );
    let output = caisson(&args);
    assert!(output.status.success(), "{}", both(&output));
    let json: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(
        without_seconds(read_json(&out)),
        without_seconds(json.clone())
    );

    assert_eq!(json["format"], "caisson-breakeven/1");
    assert_eq!(json["supplier"], "S");
    assert_eq!(json["bloc"], "EU");
    assert_eq!(json["hazards"], serde_json::json!([0.0, 0.5, 1.0]));
    let measures = json["measures"].as_array().expect("measures");
    assert_eq!(measures.len(), 2);
    for m in measures {
        assert_eq!(m["deal"].as_array().map(Vec::len), Some(3));
        assert_eq!(m["ramp_up"].as_array().map(Vec::len), Some(3));
        assert!(m["verdict"].as_str().is_some_and(|v| !v.is_empty()));
    }
    let analysis = &json["analysis"];
    let points = analysis["points"].as_array().expect("points");
    assert_eq!(points.len(), 3);
    // Probability 0 never switches, probability 1 always does.
    assert_eq!(points[0]["switched"], 0);
    assert_eq!(points[2]["switched"], 2);
    let deal = &points[0]["deal"];
    assert_eq!(deal["contracts"][0]["facility"], "s-plant");
    assert!(deal["contracts"][0]["drop_shortage"].is_number());
    assert!(deal["money"].as_f64().is_some_and(|m| m > 0.0));
    assert_eq!(points[0]["ramp_up"]["expansions"][0]["expansion"], "e-up");
    for side in ["deal", "ramp_up"] {
        for figure in ["mean", "p95"] {
            assert!(
                points[1][side]["shortage"][figure].is_number(),
                "{side} {figure}"
            );
            assert!(
                points[1][side]["cost"][figure].is_number(),
                "{side} {figure}"
            );
        }
    }
    // The hand-solved figures (caisson-analysis's breakeven tests): the deal
    // is better at 0 and worse at 1 in both measures, so both cross inside.
    assert_eq!(analysis["shortage"]["kind"], "at");
    let at = analysis["shortage"]["probability"]
        .as_f64()
        .expect("probability");
    assert!(at > 0.0 && at < 1.0, "{at}");
    assert_eq!(analysis["cost"]["kind"], "at");

    let csv = std::fs::read_to_string(&csv).expect("CSV written");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .is_some_and(|h| h.starts_with("hazard,switched,deal_contracts")));
    assert_eq!(lines.count(), 3);

    let page = std::fs::read_to_string(&html).expect("HTML written");
    assert!(page.contains("\"breakeven\":{"), "the section is embedded");

    // `caisson report` reads the file as a section.
    let report = dir.path().join("report.html");
    let output = caisson([
        "report",
        text(&out),
        "--out",
        text(&report),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", both(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(summary["views"], serde_json::json!(["breakeven"]));
}

#[test]
fn a_seed_gives_the_same_sweep_and_the_text_names_the_break_even() {
    let run = |format: &str| {
        let mut args = base_args("0,0.4,0.8");
        args.extend(["--format", format].map(str::to_owned));
        let output = caisson(&args);
        assert!(output.status.success(), "{}", both(&output));
        output.stdout
    };
    let first: Value = serde_json::from_slice(&run("json")).expect("JSON");
    let second: Value = serde_json::from_slice(&run("json")).expect("JSON");
    assert_eq!(without_seconds(first), without_seconds(second));

    let text = String::from_utf8(run("text")).expect("UTF-8");
    assert!(text.contains("S contracts or EU ramp-ups"), "{text}");
    assert!(text.contains("deal: s-plant -> E p"), "{text}");
    assert!(text.contains("U expected shortage"), "{text}");
}

#[test]
fn bad_entry_supplier_or_hazard_is_a_clear_error() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "--entry",
            "nope",
            &[
                "--entry: no [[uncertainty]] entry `nope`",
                "political entries: s-turns-away",
            ],
        ),
        (
            "--supplier",
            "X",
            &["--supplier: no actor `X`", "actors: S, E, U"],
        ),
        ("--bloc", "NATO", &["--bloc: no bloc `NATO`", "blocs: EU"]),
        (
            "--hazards",
            "0,1.5",
            &["--hazards: 1.5 is not a yearly probability in [0, 1]"],
        ),
    ];
    for (flag, value, expected) in cases {
        let mut args = base_args("0,1");
        // The flag's value replaced, or the flag added.
        match args.iter().position(|a| a == flag) {
            Some(i) => args[i + 1] = value.to_owned(),
            None => args.extend([flag.to_owned(), value.to_owned()]),
        }
        let output = caisson(&args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{flag} {value}: {}",
            both(&output)
        );
        let err = stderr(&output);
        for part in expected {
            assert!(err.contains(part), "{flag} {value}: {err}");
        }
    }
}
