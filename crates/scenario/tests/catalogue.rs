//! One tiny bad scenario per validation rule: each case names the
//! diagnostic it must produce (code, words of the message, line, entity).
//!
//! `check(body, expect)` prepends a small valid world (header, two actors,
//! two products) so each case only writes what it is about; its `line` is
//! counted from the first line of `body`. `check_doc` takes a whole
//! document and absolute lines.

use caisson_scenario::{Diagnostic, Severity};

const HEADER: &str = "\
[scenario]
name = \"t\"
start = \"2026-01\"
periods = 3
";

const WORLD: &str = "\
[[actor]]
id = \"AAA\"
blocs = [\"EU\"]
[[actor]]
id = \"BBB\"
[[product]]
id = \"shell\"
[[product]]
id = \"tnt\"
";

/// What one case must report.
struct Expect {
    code: &'static str,
    line: usize,
    entity: Option<&'static str>,
    message: &'static str,
    severity: Severity,
}

fn error(
    code: &'static str,
    line: usize,
    entity: Option<&'static str>,
    message: &'static str,
) -> Expect {
    Expect {
        code,
        line,
        entity,
        message,
        severity: Severity::Error,
    }
}

fn warning(
    code: &'static str,
    line: usize,
    entity: Option<&'static str>,
    message: &'static str,
) -> Expect {
    Expect {
        severity: Severity::Warning,
        ..error(code, line, entity, message)
    }
}

fn diagnostics(source: &str) -> (bool, Vec<Diagnostic>) {
    match caisson_scenario::load_str(source, "case.toml") {
        Ok(loaded) => (true, loaded.warnings),
        Err(error) => (false, error.diagnostics().to_vec()),
    }
}

fn check(body: &str, expect: Expect) {
    let prefix = format!("{HEADER}{WORLD}");
    let offset = prefix.lines().count();
    check_doc(
        &format!("{prefix}{body}"),
        Expect {
            line: expect.line + offset,
            ..expect
        },
    );
}

fn check_doc(source: &str, expect: Expect) {
    let (valid, all) = diagnostics(source);
    let shown = caisson_scenario::render(&all);
    // The case's problem is the only one: one rule per case, no cascades.
    assert_eq!(
        all.len(),
        1,
        "expected exactly one diagnostic, got:\n{shown}\n--- source:\n{source}"
    );
    let d = &all[0];
    assert_eq!(d.code.as_str(), expect.code, "{shown}");
    assert_eq!(d.severity, expect.severity, "{shown}");
    assert_eq!(valid, expect.severity == Severity::Warning, "{shown}");
    assert!(
        d.message.contains(expect.message),
        "message {:?} lacks {:?}\n{shown}",
        d.message,
        expect.message
    );
    assert_eq!(d.line, Some(expect.line), "{shown}\n--- source:\n{source}");
    assert_eq!(d.entity.as_deref(), expect.entity, "{shown}");
    assert_eq!(d.file, "case.toml");
    assert!(d.column.is_some() && d.source_line.is_some(), "{shown}");
}

/// The hint of the single diagnostic of `body`.
fn hint(body: &str) -> String {
    let (_, all) = diagnostics(&format!("{HEADER}{WORLD}{body}"));
    all.first().and_then(|d| d.hint.clone()).unwrap_or_default()
}

// ----- syntax, structure and types -------------------------------------

#[test]
fn syntax_error() {
    check(
        "[[actor]\nid = \"C\"\n",
        error("syntax", 1, None, "TOML syntax error"),
    );
}

#[test]
fn unknown_field_suggests_nearest() {
    check(
        "[[actor]]\nid = \"CCC\"\nnmae = \"x\"\n",
        error(
            "unknown-field",
            3,
            Some("actor \"CCC\""),
            "unknown field `nmae`",
        ),
    );
    assert_eq!(
        hint("[[actor]]\nid = \"CCC\"\nnmae = \"x\"\n"),
        "did you mean `name`?"
    );
}

#[test]
fn unknown_field_in_line_product() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = { cst = 1 } }\n",
        error("unknown-field", 7, Some("facility \"f\" line \"l\""), "unknown field `cst`"),
    );
}

#[test]
fn unknown_top_level_table() {
    check(
        "[[prodcut]]\nid = \"x\"\n",
        error("unknown-table", 1, None, "`prodcut`"),
    );
    assert_eq!(hint("[[prodcut]]\nid = \"x\"\n"), "did you mean `product`?");
}

#[test]
fn scenario_field_at_top_level() {
    check_doc(
        &format!("currency = \"USD\"\n{HEADER}"),
        error(
            "unknown-field",
            1,
            None,
            "unknown top-level field `currency`",
        ),
    );
}

#[test]
fn wrong_type_string_for_number() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = 5\npenalty = \"high\"\n",
        error("wrong-type", 6, Some("demand \"d\""), "expected a number, found a string"),
    );
}

#[test]
fn wrong_type_bool() {
    check(
        "[[actor]]\nid = \"CCC\"\nbelligerent = \"yes\"\n",
        error("wrong-type", 3, Some("actor \"CCC\""), "expected a boolean"),
    );
}

#[test]
fn wrong_type_table_instead_of_array_of_tables() {
    check_doc(
        &format!("{HEADER}[route]\nfrom = \"x\"\n"),
        error("wrong-type", 5, None, "expected an array of tables"),
    );
}

#[test]
fn wrong_type_date_for_label() {
    check_doc(
        "[scenario]\nname = \"t\"\nstart = 2026-01-01\nperiods = 3\n",
        error(
            "wrong-type",
            3,
            Some("scenario"),
            "expected a string, found a date",
        ),
    );
}

#[test]
fn wrong_type_schedule() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = \"lots\"\npenalty = 1\n",
        error("wrong-type", 5, Some("demand \"d\""), "expected a number or a table"),
    );
}

#[test]
fn wrong_type_scope() {
    check(
        "[[policy]]\nid = \"p\"\nscope = 3\n",
        error(
            "wrong-type",
            3,
            Some("policy \"p\""),
            "expected a string, found an integer",
        ),
    );
}

// ----- numbers ---------------------------------------------------------

#[test]
fn infinite_penalty() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = 5\npenalty = inf\n",
        error("not-finite", 6, Some("demand \"d\""), "finite"),
    );
}

#[test]
fn nan_in_schedule() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = { \"2026-01\" = nan }\npenalty = 1\n",
        error("not-finite", 5, Some("demand \"d\""), "`quantity.\"2026-01\"`"),
    );
}

#[test]
fn periods_must_be_integer() {
    check_doc(
        "[scenario]\nname = \"t\"\nstart = \"2026-01\"\nperiods = 3.0\n",
        error(
            "not-integer",
            4,
            Some("scenario"),
            "`periods` must be an integer",
        ),
    );
}

#[test]
fn default_lead_time_must_be_integer() {
    check_doc(
        &format!("{HEADER}default_lead_time = 1.0\n"),
        error("not-integer", 5, Some("scenario"), "`default_lead_time`"),
    );
}

#[test]
fn route_lead_time_must_be_integer() {
    check(
        "[[route]]\nfrom = \"AAA\"\nto = \"BBB\"\nlead_time = 1.5\n",
        error(
            "not-integer",
            4,
            Some("route \"AAA->BBB\""),
            "`lead_time` must be an integer",
        ),
    );
}

#[test]
fn periods_at_least_one() {
    check_doc(
        "[scenario]\nname = \"t\"\nstart = \"2026-01\"\nperiods = 0\n",
        error(
            "out-of-range",
            4,
            Some("scenario"),
            "`periods` must be between 1",
        ),
    );
}

#[test]
fn rate_positive() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = { rate = 0 } }\n",
        error("out-of-range", 7, Some("facility \"f\" line \"l\""), "greater than 0"),
    );
}

#[test]
fn bom_quantity_positive() {
    check(
        "[[product]]\nid = \"fuze\"\ninputs = { tnt = 0 }\n",
        error(
            "out-of-range",
            3,
            Some("product \"fuze\""),
            "`inputs.\"tnt\"` must be greater than 0",
        ),
    );
}

#[test]
fn holding_cost_non_negative() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\nholding_cost = -1\n",
        error("out-of-range", 4, Some("facility \"f\""), "at least 0"),
    );
}

#[test]
fn stock_non_negative() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\nstock = { shell = -5 }\n",
        error(
            "out-of-range",
            4,
            Some("facility \"f\""),
            "`stock.\"shell\"`",
        ),
    );
}

#[test]
fn capacity_non_negative() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = { \"2026-02\" = -3 }\nproducts = { shell = {} }\n",
        error("out-of-range", 6, Some("facility \"f\" line \"l\""), "`capacity.\"2026-02\"`"),
    );
}

#[test]
fn capex_non_negative() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n[[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = 0\ncapex = -10\n",
        error("out-of-range", 13, Some("facility \"f\" expansion \"e\""), "`capex`"),
    );
}

#[test]
fn expansion_lead_time_non_negative() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n[[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = -1\ncapex = 0\n",
        error("out-of-range", 12, Some("facility \"f\" expansion \"e\""), "`lead_time`"),
    );
}

#[test]
fn contract_penalty_non_negative() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[demand]]\nid = \"d\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n[[contract]]\nid = \"c\"\nfacility = \"f\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = -1\n",
        error("out-of-range", 16, Some("contract \"c\""), "`penalty` must be at least 0"),
    );
}

#[test]
fn demand_penalty_positive() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = 5\npenalty = 0\n",
        error(
            "out-of-range",
            6,
            Some("demand \"d\""),
            "`penalty` must be greater than 0",
        ),
    );
}

#[test]
fn default_unit_cost_non_negative() {
    check_doc(
        &format!("{HEADER}default_unit_cost = -2.5\n"),
        error("out-of-range", 5, Some("scenario"), "`default_unit_cost`"),
    );
}

// ----- required fields -------------------------------------------------

#[test]
fn scenario_name_required() {
    check_doc(
        "[scenario]\nstart = \"2026-01\"\nperiods = 3\n",
        error("missing-field", 1, Some("scenario"), "`name`"),
    );
}

#[test]
fn demand_penalty_required() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = 5\n",
        error("missing-field", 1, Some("demand \"d\""), "`penalty`"),
    );
}

#[test]
fn expansion_capex_required() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n[[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = 0\n",
        error("missing-field", 8, Some("facility \"f\" expansion \"e\""), "`capex`"),
    );
}

#[test]
fn facility_actor_required() {
    check(
        "[[facility]]\nid = \"f\"\n",
        error("missing-field", 1, Some("facility \"f\""), "`actor`"),
    );
}

#[test]
fn line_capacity_required() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\nproducts = { shell = {} }\n",
        error("missing-field", 4, Some("facility \"f\" line \"l\""), "`capacity`"),
    );
}

// ----- ids -------------------------------------------------------------

#[test]
fn id_syntax() {
    check(
        "[[product]]\nid = \"155 mm\"\n",
        error(
            "invalid-id",
            2,
            Some("product \"155 mm\""),
            "invalid id \"155 mm\"",
        ),
    );
}

#[test]
fn id_not_empty() {
    check(
        "[[actor]]\nid = \"\"\n",
        error("invalid-id", 2, Some("actor #3"), "must not be empty"),
    );
}

#[test]
fn actor_id_reserved() {
    check(
        "[[actor]]\nid = \"*\"\n",
        error("reserved-id", 2, Some("actor \"*\""), "reserved"),
    );
}

#[test]
fn bloc_id_reserved() {
    check(
        "[[actor]]\nid = \"CCC\"\nblocs = [\"belligerent\"]\n",
        error(
            "reserved-id",
            3,
            Some("actor \"CCC\""),
            "cannot be a bloc id",
        ),
    );
}

#[test]
fn bloc_is_not_an_actor() {
    check(
        "[[actor]]\nid = \"CCC\"\nblocs = [\"BBB\"]\n",
        error("bloc-is-actor", 3, Some("actor \"CCC\""), "bloc \"BBB\""),
    );
}

#[test]
fn duplicate_actor() {
    check(
        "[[actor]]\nid = \"AAA\"\n",
        error(
            "duplicate-id",
            2,
            Some("actor \"AAA\""),
            "duplicate actor id \"AAA\"",
        ),
    );
    assert!(hint("[[actor]]\nid = \"AAA\"\n").contains("first defined at case.toml:6"));
}

#[test]
fn duplicate_demand() {
    let d =
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = 5\npenalty = 1\n";
    check(
        &format!("{d}{d}"),
        error(
            "duplicate-id",
            8,
            Some("demand \"d\""),
            "duplicate demand id",
        ),
    );
}

#[test]
fn duplicate_line_in_facility() {
    let line = "[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n";
    check(
        &format!("[[facility]]\nid = \"f\"\nactor = \"AAA\"\n{line}{line}"),
        error(
            "duplicate-id",
            9,
            Some("facility \"f\" line \"l\""),
            "duplicate line id",
        ),
    );
}

#[test]
fn same_line_id_in_two_facilities_is_fine() {
    let line = "[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n";
    let body = format!(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n{line}[[facility]]\nid = \"g\"\nactor = \"AAA\"\n{line}"
    );
    let (valid, all) = diagnostics(&format!("{HEADER}{WORLD}{body}"));
    assert!(
        valid && all.is_empty(),
        "{}",
        caisson_scenario::render(&all)
    );
}

#[test]
fn duplicate_expansion_across_facilities() {
    let facility = |id: &str| {
        format!(
            "[[facility]]\nid = \"{id}\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = {{ shell = {{}} }}\n[[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = 0\ncapex = 0\n"
        )
    };
    check(
        &format!("{}{}", facility("f"), facility("g")),
        error(
            "duplicate-id",
            22,
            Some("facility \"g\" expansion \"e\""),
            "duplicate expansion id \"e\"",
        ),
    );
}

#[test]
fn duplicate_route() {
    let r = "[[route]]\nfrom = \"AAA\"\nto = \"BBB\"\n";
    check(
        &format!("{r}{r}"),
        error(
            "duplicate-route",
            4,
            Some("route \"AAA->BBB\""),
            "duplicate route",
        ),
    );
}

#[test]
fn duplicate_contract() {
    let c = |id: &str| {
        format!(
            "[[contract]]\nid = \"{id}\"\nfacility = \"f\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n"
        )
    };
    check(
        &format!(
            "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[demand]]\nid = \"d\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n{}{}",
            c("c1"),
            c("c2")
        ),
        error("duplicate-contract", 17, Some("contract \"c2\""), "a second contract"),
    );
}

// ----- references ------------------------------------------------------

#[test]
fn unknown_actor_suggests() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AA\"\n",
        error(
            "unknown-actor",
            3,
            Some("facility \"f\""),
            "unknown actor \"AA\" in `actor`",
        ),
    );
    assert_eq!(
        hint("[[facility]]\nid = \"f\"\nactor = \"AA\"\n"),
        "did you mean \"AAA\"?"
    );
}

#[test]
fn bloc_where_actor_is_required() {
    let body = "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nend_user = \"EU\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n";
    check(
        body,
        error("unknown-actor", 4, Some("demand \"d\""), "in `end_user`"),
    );
    assert!(hint(body).contains("is a bloc"));
}

#[test]
fn unknown_product_in_line() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shel = {} }\n",
        error("unknown-product", 7, Some("facility \"f\" line \"l\""), "unknown product \"shel\""),
    );
}

#[test]
fn unknown_facility_in_contract() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n[[contract]]\nid = \"c\"\nfacility = \"nowhere\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n",
        error("unknown-facility", 9, Some("contract \"c\""), "unknown facility \"nowhere\""),
    );
}

#[test]
fn expansion_line_of_another_facility() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n[[facility]]\nid = \"g\"\nactor = \"AAA\"\n[[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = 0\ncapex = 0\n",
        error("unknown-line", 13, Some("facility \"g\" expansion \"e\""), "not a line of facility \"g\""),
    );
}

#[test]
fn unknown_scope() {
    check(
        "[[policy]]\nid = \"p\"\nscope = \"EUU\"\n",
        error("unknown-scope", 3, Some("policy \"p\""), "scope \"EUU\""),
    );
    assert_eq!(
        hint("[[policy]]\nid = \"p\"\nscope = \"EUU\"\n"),
        "did you mean \"EU\"?"
    );
}

#[test]
fn scope_never_belligerent() {
    check(
        "[[policy]]\nid = \"p\"\nscope = \"belligerent\"\n",
        error(
            "invalid-scope",
            3,
            Some("policy \"p\""),
            "cannot be \"belligerent\"",
        ),
    );
}

#[test]
fn scope_never_star() {
    check(
        "[[policy]]\nid = \"p\"\nscope = \"*\"\n",
        error("invalid-scope", 3, Some("policy \"p\""), "\"*\""),
    );
}

#[test]
fn unknown_selector() {
    check(
        "[[policy]]\nid = \"p\"\nscope = \"AAA\"\ndeny_export = [\"belligerent\", \"BB\"]\n",
        error(
            "unknown-selector",
            4,
            Some("policy \"p\""),
            "`deny_export`: \"BB\"",
        ),
    );
}

#[test]
fn bom_cycle() {
    check(
        "[[product]]\nid = \"a\"\ninputs = { b = 1 }\n[[product]]\nid = \"b\"\ninputs = { a = 2 }\n",
        error("bom-cycle", 6, Some("product \"b\""), "a -> b -> a"),
    );
}

// ----- labels and windows ----------------------------------------------

#[test]
fn malformed_label() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = { \"2026-13\" = 1 }\nproducts = { shell = {} }\n",
        error("bad-label", 6, Some("facility \"f\" line \"l\""), "\"2026-13\" is not a period label"),
    );
}

#[test]
fn label_of_wrong_kind() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = { \"2026-Q2\" = 1 }\npenalty = 1\n",
        error("wrong-label-kind", 5, Some("demand \"d\""), "is a quarter label"),
    );
}

#[test]
fn start_of_wrong_kind() {
    check_doc(
        "[scenario]\nname = \"t\"\nstart = \"2026\"\nperiod = \"quarter\"\nperiods = 3\n",
        error("wrong-label-kind", 3, Some("scenario"), "is a year label"),
    );
}

#[test]
fn bad_period_kind() {
    check_doc(
        "[scenario]\nname = \"t\"\nstart = \"2026-01\"\nperiod = \"months\"\nperiods = 3\n",
        error("bad-period", 4, Some("scenario"), "found \"months\""),
    );
}

const LINE: &str = "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = { shell = {} }\n[[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = 0\ncapex = 0\n";

#[test]
fn earliest_after_latest() {
    check(
        &format!("{LINE}earliest = \"2026-03\"\nlatest = \"2026-02\"\n"),
        error(
            "window-order",
            14,
            Some("facility \"f\" expansion \"e\""),
            "`earliest` (2026-03) is after `latest` (2026-02)",
        ),
    );
}

#[test]
fn window_outside_horizon_warns() {
    check(
        &format!("{LINE}earliest = \"2027-01\"\n"),
        warning(
            "window-outside",
            14,
            Some("facility \"f\" expansion \"e\""),
            "wholly outside the horizon",
        ),
    );
}

#[test]
fn schedule_key_after_horizon_warns() {
    check(
        "[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shell\"\nquantity = { \"2026-01\" = 1, \"2026-09\" = 5 }\npenalty = 1\n",
        warning("label-after-horizon", 5, Some("demand \"d\""), "\"2026-09\" is after the horizon"),
    );
}

#[test]
fn contract_without_demand_warns() {
    check(
        "[[facility]]\nid = \"f\"\nactor = \"AAA\"\n[[contract]]\nid = \"c\"\nfacility = \"f\"\nbuyer = \"BBB\"\nproduct = \"shell\"\nquantity = 1\npenalty = 1\n",
        warning("contract-without-demand", 4, Some("contract \"c\""), "has no demand"),
    );
}

#[test]
fn remove_without_extends() {
    check(
        "[remove]\nactors = [\"AAA\"]\n",
        error(
            "remove-without-extends",
            1,
            Some("remove"),
            "extends nothing",
        ),
    );
}

#[test]
fn duplicate_bloc_in_list_warns() {
    check(
        "[[actor]]\nid = \"CCC\"\nblocs = [\"EU\", \"EU\"]\n",
        warning("duplicate-entry", 3, Some("actor \"CCC\""), "listed twice"),
    );
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let source = format!(
        "{HEADER}{WORLD}[[actor]]\nid = \"AAA\"\nnmae = \"x\"\n[[facility]]\nid = \"f\"\nactor = \"ZZZ\"\nholding_cost = -1\n[[demand]]\nid = \"d\"\nbuyer = \"AAA\"\nproduct = \"shel\"\nquantity = 1\n"
    );
    let (valid, all) = diagnostics(&source);
    assert!(!valid);
    let codes: Vec<&str> = all.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "duplicate-id",
            "unknown-field",
            "unknown-actor",
            "out-of-range",
            "missing-field",
            "unknown-product"
        ],
        "{}",
        caisson_scenario::render(&all)
    );
}

#[test]
fn rendered_text_has_caret_entity_and_hint() {
    let error = caisson_scenario::load_str(
        &format!("{HEADER}{WORLD}[[actor]]\nid = \"CCC\"\nnmae = \"x\"\n"),
        "case.toml",
    )
    .expect_err("invalid");
    let text = error.to_string();
    let expected = "\
error[unknown-field]: unknown field `nmae` in [[actor]]
  --> case.toml:16:1
   |
16 | nmae = \"x\"
   | ^^^^
   = entity: actor \"CCC\"
   = hint: did you mean `name`?
";
    assert_eq!(text, expected);
}
