//! Rounds end to end without a server: reference parts, member rules,
//! contributions (what each kind may write, qualified ids), the assembled
//! scenario, located diagnostics, and that no text can make the loader
//! open a file.

mod common;

use caisson_platform::{
    assemble, check_fragment, check_member, convert, Assembled, Document, MediaType, OrgKind,
    PlatformError, ReferencePart, Schedule, SignedContract,
};
use common::*;

fn not_owned(result: Result<impl std::fmt::Debug, PlatformError>) -> (String, String) {
    match result {
        Err(PlatformError::NotOwned { entity, rule, .. }) => (entity, rule),
        other => panic!("expected not_owned, got {other:?}"),
    }
}

fn diagnostics(
    result: Result<impl std::fmt::Debug, PlatformError>,
) -> Vec<caisson_platform::ScenarioDiagnostic> {
    match result {
        Err(error @ PlatformError::InvalidScenario { .. }) => {
            assert_eq!((error.code(), error.status()), ("invalid_scenario", 422));
            assert!(error.diagnostics().is_some_and(|d| d.is_array()));
            error.scenario_diagnostics().to_vec()
        }
        other => panic!("expected invalid_scenario, got {other:?}"),
    }
}

#[test]
fn each_kind_contributes_only_its_tables() {
    let srb = state("srb", "SRB");
    let krusik = producer("krusik", "SRB", None);
    let policy = "[[policy]]\nid = \"neutral\"\nscope = \"SRB\"\ndeny_export = [\"belligerent\"]\n";
    assert!(check_fragment(&srb, policy, MediaType::Toml).is_ok());
    assert!(check_fragment(&srb, &demand("army", "SRB", "shell"), MediaType::Toml).is_ok());
    assert!(check_fragment(
        &krusik,
        &facility("plant", "SRB", "shell", 10.0),
        MediaType::Toml
    )
    .is_ok());
    assert!(check_fragment(&eu(), &demand("ukr", "EUJ", "shell"), MediaType::Toml).is_ok());
    assert!(check_fragment(
        &eu(),
        "[[policy]]\nid = \"s\"\nscope = \"EU\"\n",
        MediaType::Toml
    )
    .is_ok());

    let (entity, rule) = not_owned(check_fragment(
        &srb,
        &facility("plant", "SRB", "shell", 1.0),
        MediaType::Toml,
    ));
    assert_eq!(entity, "[[facility]]");
    assert!(rule.contains("a state contributes only"), "{rule}");
    let (entity, _) = not_owned(check_fragment(&krusik, policy, MediaType::Toml));
    assert_eq!(entity, "[[policy]]");
    let observer = org("ngo", OrgKind::Observer, None);
    let (_, rule) = not_owned(check_fragment(&observer, policy, MediaType::Toml));
    assert_eq!(rule, "an observer contributes nothing");
    // An observer may still submit an empty document: it holds nothing.
    assert!(check_fragment(&observer, "", MediaType::Toml).is_ok());

    for never in [
        "[scenario]\nname = \"x\"\n",
        "[remove]\nfacilities = [\"x\"]\n",
        "[[actor]]\nid = \"X\"\n",
        "[[product]]\nid = \"x\"\n",
        "[[route]]\nfrom = \"SRB\"\nto = \"DEU\"\n",
        "[[contract]]\nid = \"c\"\n",
        "[[uncertainty]]\nid = \"u\"\n",
    ] {
        for who in [&srb, &krusik, &eu()] {
            let (entity, rule) = not_owned(check_fragment(who, never, MediaType::Toml));
            assert!(
                rule.contains("never part of a contribution"),
                "{never}: {entity} {rule}"
            );
        }
    }
}

#[test]
fn entities_outside_the_organisations_actor_blocs_or_buyers_are_not_owned() {
    let krusik = producer("krusik", "SRB", None);
    let (entity, rule) = not_owned(check_fragment(
        &krusik,
        &facility("plant", "DEU", "shell", 1.0),
        MediaType::Toml,
    ));
    assert_eq!(entity, "facility \"plant\" (actor `DEU`)");
    assert!(rule.contains("whose actor is `SRB`"), "{rule}");

    let srb = state("srb", "SRB");
    let (entity, _) = not_owned(check_fragment(
        &srb,
        "[[policy]]\nid = \"p\"\nscope = \"DEU\"\n",
        MediaType::Toml,
    ));
    assert_eq!(entity, "policy \"p\" (scope `DEU`)");
    let (entity, _) = not_owned(check_fragment(
        &srb,
        &demand("d", "DEU", "shell"),
        MediaType::Toml,
    ));
    assert_eq!(entity, "demand \"d\" (buyer `DEU`)");

    let (entity, rule) = not_owned(check_fragment(
        &eu(),
        "[[policy]]\nid = \"p\"\nscope = \"NATO\"\n",
        MediaType::Toml,
    ));
    assert_eq!(entity, "policy \"p\" (scope `NATO`)");
    assert!(rule.contains("`EU`"), "{rule}");
    let (entity, _) = not_owned(check_fragment(
        &eu(),
        &demand("d", "DEU", "shell"),
        MediaType::Toml,
    ));
    assert_eq!(entity, "demand \"d\" (buyer `DEU`)");
    // A coordinator's policy scoped to an actor (not a bloc it speaks for) is not its own.
    not_owned(check_fragment(
        &eu(),
        "[[policy]]\nid = \"p\"\nscope = \"EUJ\"\n",
        MediaType::Toml,
    ));
}

#[test]
fn ids_are_qualified_by_their_owner_and_another_prefix_is_not_owned() {
    let krusik = producer("krusik", "SRB", None);
    let text = "[[facility]]\nid = \"krusik:plant\"\nactor = \"SRB\"\n\n[[facility.line]]\nid = \"main\"\ncapacity = 1\nproducts = { shell = {} }\n\n[[facility.expansion]]\nid = \"up\"\nline = \"main\"\ncapacity = 1\nlead_time = 0\ncapex = 5\n\n[[facility]]\nid = \"depot\"\nactor = \"SRB\"\n";
    let fragment = check_fragment(&krusik, text, MediaType::Toml).expect("owned");
    assert_eq!(fragment.ids("facility"), ["krusik:plant", "krusik:depot"]);
    assert_eq!(
        fragment.facilities(),
        [("krusik:plant", "SRB"), ("krusik:depot", "SRB")]
    );
    let assembled = assemble(&reference(), &[(&krusik, Some(&fragment))], &[]).expect("valid");
    let scenario = &assembled.scenario;
    assert_eq!(scenario.expansions[0].id, "krusik:up");
    // Line ids stay local to their facility.
    assert_eq!(scenario.lines[0].id, "main");

    let (entity, rule) = not_owned(check_fragment(
        &krusik,
        &facility("sloboda:plant", "SRB", "shell", 1.0),
        MediaType::Toml,
    ));
    assert_eq!(entity, "facility \"sloboda:plant\"");
    assert!(rule.contains("ids are qualified by their owner"), "{rule}");
    let expansion_of_another = text.replace("id = \"up\"", "id = \"sloboda:up\"");
    let (entity, _) = not_owned(check_fragment(
        &krusik,
        &expansion_of_another,
        MediaType::Toml,
    ));
    assert_eq!(entity, "expansion \"sloboda:up\"");
    // The answer is the same whether or not `sloboda` exists: nothing is looked up.
    let (entity, _) = not_owned(check_fragment(
        &krusik,
        &facility("nobody:plant", "SRB", "shell", 1.0),
        MediaType::Toml,
    ));
    assert_eq!(entity, "facility \"nobody:plant\"");

    for bad in ["krusik:", "krusik:a:b"] {
        let found = diagnostics(check_fragment(
            &krusik,
            &facility(bad, "SRB", "shell", 1.0),
            MediaType::Toml,
        ));
        assert_eq!(found[0].code, "invalid-id");
        assert_eq!(found[0].line, Some(2), "{found:?}");
    }
}

#[test]
fn the_assembled_scenario_orders_members_by_id_bytes_and_contracts_by_id() {
    // Byte order: upper case before lower case.
    let zastava = producer("Zastava", "SRB", None);
    let krusik = producer("krusik", "SRB", None);
    let deu = state("deu", "DEU");
    let z = check_fragment(
        &zastava,
        &facility("z", "SRB", "shell", 4.0),
        MediaType::Toml,
    )
    .expect("owned");
    let k = check_fragment(
        &krusik,
        &facility("k", "SRB", "shell", 4.0),
        MediaType::Toml,
    )
    .expect("owned");
    let d = check_fragment(
        &deu,
        &format!(
            "{}{}",
            demand("b", "DEU", "shell"),
            demand("a", "DEU", "mortar")
        ),
        MediaType::Toml,
    )
    .expect("owned");
    let contract = |id: &str, facility: &str, supplier: &str| SignedContract {
        id: id.into(),
        supplier: supplier.into(),
        facility: facility.into(),
        buyer: "DEU".into(),
        product: "shell".into(),
        quantity: Schedule::Constant(1.0),
        penalty: 10.0,
        price: 100.0,
    };
    let contracts = [
        contract("f00d", "krusik:k", "krusik"),
        contract("0ace", "Zastava:z", "Zastava"),
    ];
    let members = [(&krusik, Some(&k)), (&deu, Some(&d)), (&zastava, Some(&z))];
    let assembled = assemble(&reference(), &members, &contracts).expect("valid");
    let facilities: Vec<&str> = assembled
        .scenario
        .facilities
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(facilities, ["Zastava:z", "krusik:k"]);
    let demands: Vec<&str> = assembled
        .scenario
        .demands
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        demands,
        ["deu:b", "deu:a"],
        "a member's entities keep their order"
    );
    let ids: Vec<&str> = assembled
        .scenario
        .contracts
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["0ace", "f00d"]);
    // The text is exactly what loads to the scenario (a run freezes it).
    let again = Assembled::from_frozen(&assembled.toml).expect("the frozen text loads");
    assert_eq!(again.scenario, assembled.scenario);
    assert!(
        assembled.toml.starts_with("[scenario]\n"),
        "{}",
        assembled.toml
    );
}

#[test]
fn contracts_must_name_their_suppliers_facility() {
    let krusik = producer("krusik", "SRB", None);
    let k = check_fragment(
        &krusik,
        &facility("k", "SRB", "shell", 4.0),
        MediaType::Toml,
    )
    .expect("owned");
    let mut contract = SignedContract {
        id: "c".into(),
        supplier: "krusik".into(),
        facility: "sloboda:k".into(),
        buyer: "DEU".into(),
        product: "shell".into(),
        quantity: Schedule::Constant(1.0),
        penalty: 0.0,
        price: 0.0,
    };
    let error = assemble(
        &reference(),
        &[(&krusik, Some(&k))],
        std::slice::from_ref(&contract),
    )
    .expect_err("refused");
    assert_eq!(error.code(), "invalid_contract");
    contract.supplier = "deu".into();
    contract.facility = "deu:k".into();
    let error = assemble(&reference(), &[(&krusik, Some(&k))], &[contract]).expect_err("refused");
    assert_eq!(error.code(), "invalid_contract");
}

#[test]
fn no_text_makes_the_loader_open_a_path() {
    let base = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/europe-2025/base.toml"
    );
    for path in [
        "/etc/passwd",
        "../../../../etc/passwd",
        "base.toml",
        "file:///etc/passwd",
        "C:\\Windows\\win.ini",
        base,
    ] {
        let quoted = toml::Value::String(path.to_owned());
        let reference = REFERENCE.replace(
            "periods = 3\n",
            &format!("periods = 3\nextends = {quoted}\n"),
        );
        let (entity, rule) = not_owned(ReferencePart::parse(&reference, MediaType::Toml));
        assert_eq!(entity, "[scenario] extends");
        assert!(rule.contains("never reads a file"), "{rule}");
        let json = convert(&reference, MediaType::Toml, MediaType::Json).expect("converts");
        not_owned(ReferencePart::parse(&json, MediaType::Json));
        // A frozen text is checked the same way before the loader sees it.
        not_owned(Assembled::from_frozen(&reference));
        // A contribution never holds [scenario] at all.
        let fragment = format!("[scenario]\nextends = {quoted}\n");
        not_owned(check_fragment(
            &state("srb", "SRB"),
            &fragment,
            MediaType::Toml,
        ));
        let json_path = serde_json::to_string(path).expect("a string");
        let json = format!("{{\"scenario\": {{\"extends\": {json_path}}}}}");
        not_owned(check_fragment(&state("srb", "SRB"), &json, MediaType::Json));
    }
}

#[test]
fn the_reference_part_holds_only_its_tables_and_is_valid_on_its_own() {
    let reference = reference();
    assert_eq!(reference.actors(), ["SRB", "DEU", "EUJ", "UKR"]);
    assert_eq!(reference.blocs(), ["EU"]);
    let with_facility = format!("{REFERENCE}\n{}", facility("f", "SRB", "shell", 1.0));
    let (entity, _) = not_owned(ReferencePart::parse(&with_facility, MediaType::Toml));
    assert_eq!(entity, "[facility]");
    let broken = REFERENCE.replace("to = \"DEU\"", "to = \"DUE\"");
    let found = diagnostics(ReferencePart::parse(&broken, MediaType::Toml));
    assert_eq!(found[0].code, "unknown-actor");
    assert_eq!(found[0].document, Document::Reference);
    let line = REFERENCE
        .lines()
        .position(|l| l.starts_with("to = "))
        .map(|i| i + 1);
    assert_eq!(found[0].line, line);
}

#[test]
fn diagnostics_are_located_in_the_submitted_document() {
    let krusik = producer("krusik", "SRB", None);
    // Line 7: a misspelt field of the line.
    let text = "[[facility]]\nid = \"plant\"\nactor = \"SRB\"\n\n[[facility.line]]\nid = \"main\"\ncapacty = 10\nproducts = { shell = {} }\n";
    let fragment = check_fragment(&krusik, text, MediaType::Toml)
        .expect("owned: validity is checked on assembly");
    let found = diagnostics(assemble(&reference(), &[(&krusik, Some(&fragment))], &[]));
    let unknown = found
        .iter()
        .find(|d| d.code == "unknown-field")
        .expect("unknown field reported");
    assert_eq!(
        unknown.document,
        Document::Contribution {
            organisation: "krusik".into()
        }
    );
    assert_eq!((unknown.line, unknown.column), (Some(7), Some(1)));
    assert_eq!(unknown.hint.as_deref(), Some("did you mean `capacity`?"));

    // The same document in JSON: located in the JSON text.
    let json = convert(text, MediaType::Toml, MediaType::Json).expect("converts");
    let fragment = check_fragment(&krusik, &json, MediaType::Json).expect("owned");
    let found = diagnostics(assemble(&reference(), &[(&krusik, Some(&fragment))], &[]));
    let unknown = found
        .iter()
        .find(|d| d.code == "unknown-field")
        .expect("unknown field reported");
    let line = json
        .lines()
        .position(|l| l.contains("\"capacty\""))
        .map(|i| i + 1);
    assert_eq!(unknown.line, line, "{json}");

    // A reference to an unknown product in a demand.
    let srb = state("srb", "SRB");
    let text = format!(
        "{}{}",
        demand("a", "SRB", "shell"),
        demand("b", "SRB", "shel")
    );
    let fragment = check_fragment(&srb, &text, MediaType::Toml).expect("owned");
    let found = diagnostics(assemble(&reference(), &[(&srb, Some(&fragment))], &[]));
    let line = text
        .lines()
        .position(|l| l.contains("\"shel\""))
        .map(|i| i + 1);
    assert_eq!(
        (found[0].code.as_str(), found[0].line),
        ("unknown-product", line)
    );
    assert_eq!(found[0].entity.as_deref(), Some("demand \"srb:b\""));

    // Duplicate ids: the hint's "first defined at" names the submitted document's line.
    let text = format!(
        "{}{}",
        demand("a", "SRB", "shell"),
        demand("srb:a", "SRB", "shell")
    );
    let fragment = check_fragment(&srb, &text, MediaType::Toml).expect("owned");
    let found = diagnostics(assemble(&reference(), &[(&srb, Some(&fragment))], &[]));
    let duplicate = found
        .iter()
        .find(|d| d.code == "duplicate-id")
        .expect("duplicate reported");
    let hint = duplicate.hint.as_deref().unwrap_or("");
    assert!(hint.contains("the contribution of srb, line 2"), "{hint}");
    assert!(!hint.contains("assembled.toml"), "{hint}");

    // Unknown tables are reported with the nearest name the kind may write.
    let found = diagnostics(check_fragment(
        &krusik,
        "[[facilty]]\nid = \"x\"\n",
        MediaType::Toml,
    ));
    assert_eq!(
        (found[0].code.as_str(), found[0].line),
        ("unknown-table", Some(1))
    );
    assert_eq!(found[0].hint.as_deref(), Some("did you mean `facility`?"));
}

#[test]
fn member_rules() {
    let reference = reference();
    let mut members = vec![eu()];
    assert!(check_member(&reference, &[], &eu()).is_ok());
    let deu = state("deu", "DEU");
    assert!(check_member(&reference, &members, &deu).is_ok());
    members.push(deu.clone());
    let error = check_member(&reference, &members, &deu).expect_err("refused");
    assert_eq!((error.code(), error.status()), ("conflict", 409));
    // At most one state per actor: a second state of DEU breaks "exactly one member".
    let error = check_member(&reference, &members, &state("deu2", "DEU")).expect_err("refused");
    assert_eq!((error.code(), error.status()), ("invalid_member", 422));
    // A coordinator buying for an actor a state owns.
    let mut other = eu();
    other.id = "other".into();
    other.buys_for = vec!["DEU".into()];
    other.blocs = Vec::new();
    assert_eq!(
        check_member(&reference, &members, &other)
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    other.buys_for = vec!["EUJ".into()];
    assert_eq!(
        check_member(&reference, &members, &other)
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    // Actors, buyers and blocs must exist in the reference part.
    assert_eq!(
        check_member(&reference, &members, &state("fra", "FRA"))
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    other.buys_for = vec!["FRA".into()];
    assert_eq!(
        check_member(&reference, &members, &other)
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    other.buys_for = Vec::new();
    other.blocs = vec!["NATO".into()];
    assert_eq!(
        check_member(&reference, &members, &other)
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    other.blocs = vec!["EU".into()];
    assert!(check_member(&reference, &members, &other).is_ok());
    // Producers own no buyer: several per actor.
    members.push(producer("krusik", "SRB", None));
    assert!(check_member(&reference, &members, &producer("sloboda", "SRB", None)).is_ok());
    assert_eq!(
        check_member(&reference, &members, &producer("x", "NOWHERE", None))
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    let observer = org("ngo", OrgKind::Observer, None);
    assert_eq!(
        check_member(&reference, &members, &observer)
            .expect_err("refused")
            .code(),
        "invalid_member"
    );
    // A reference part without an actor a member names breaks the member rules.
    assert!(caisson_platform::check_members(&reference, &members).is_ok());
    let without_srb = REFERENCE.replace("[[actor]]\nid = \"SRB\"\n", "").replace(
        "[[route]]\nfrom = \"SRB\"\nto = \"DEU\"\nlead_time = 1\n",
        "",
    );
    let smaller = ReferencePart::parse(&without_srb, MediaType::Toml).expect("valid alone");
    let error =
        caisson_platform::check_members(&smaller, &members).expect_err("krusik's actor is gone");
    assert_eq!(error.code(), "invalid_member");
    let invalid = org("a:b", OrgKind::Producer, Some("SRB"));
    assert_eq!(
        check_member(&reference, &members, &invalid)
            .expect_err("refused")
            .code(),
        "invalid_organisation"
    );
}
