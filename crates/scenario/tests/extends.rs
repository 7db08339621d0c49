//! Variants (`extends`, `[remove]`, whole-entity replacement), per spec
//! sections 5 and 7, on real files in a temporary directory.

use std::fs;
use std::path::{Path, PathBuf};

use caisson_scenario::{load_path, Diagnostic, Loaded};

const BASE: &str = r#"
[scenario]
name = "base"
start = "2026-01"
periods = 4
currency = "USD"

[[actor]]
id = "AAA"
blocs = ["EU"]

[[actor]]
id = "BBB"

[[actor]]
id = "CCC"

[[product]]
id = "shell"

[[facility]]
id = "plant"
actor = "AAA"
[[facility.line]]
id = "l"
capacity = 100
products = { shell = {} }

[[demand]]
id = "d1"
buyer = "BBB"
product = "shell"
quantity = 10
penalty = 5

[[demand]]
id = "d2"
buyer = "CCC"
product = "shell"
quantity = 20
penalty = 5

[[policy]]
id = "p1"
scope = "AAA"
deny_export = ["CCC"]

[[policy]]
id = "p2"
scope = "EU"
deny_import = ["BBB"]

[[route]]
from = "AAA"
to = "BBB"
lead_time = 2
"#;

struct Dir(tempfile::TempDir);

impl Dir {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("mkdir");
            }
            fs::write(path, text).expect("write");
        }
        Dir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    fn load(&self, name: &str) -> Loaded {
        load_path(&self.path(name)).unwrap_or_else(|e| panic!("{name} failed:\n{e}"))
    }

    fn errors(&self, name: &str) -> Vec<Diagnostic> {
        match load_path(&self.path(name)) {
            Ok(_) => panic!("{name} loaded but should not"),
            Err(e) => e.errors().cloned().collect(),
        }
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_owned()).collect()
}

#[test]
fn header_fields_override_one_by_one() {
    let dir = Dir::new(&[
        ("base.toml", BASE),
        (
            "child.toml",
            "[scenario]\nextends = \"base.toml\"\nname = \"child\"\nperiods = 6\n",
        ),
    ]);
    let loaded = dir.load("child.toml");
    let s = &loaded.scenario;
    assert_eq!(s.name, "child");
    assert_eq!(s.periods(), 6);
    assert_eq!(s.currency, "USD", "inherited from the base");
    assert_eq!(
        s.demands[0].quantity.len(),
        6,
        "schedules follow the child's horizon"
    );
    assert_eq!(loaded.files.len(), 2);
}

#[test]
fn replacement_keeps_position_and_new_ones_are_appended() {
    let child = r#"
[scenario]
extends = "base.toml"

[[demand]]
id = "d3"
buyer = "BBB"
product = "shell"
quantity = 1
penalty = 1

[[demand]]
id = "d1"
buyer = "BBB"
product = "shell"
quantity = 99
penalty = 7
backlog = false
"#;
    let dir = Dir::new(&[("base.toml", BASE), ("child.toml", child)]);
    let s = dir.load("child.toml").scenario;
    assert_eq!(ids(&s.demands, |d| &d.id), ["d1", "d2", "d3"]);
    // Replaced whole: nothing of the base's d1 survives.
    assert_eq!(s.demands[0].quantity, vec![99.0; 4]);
    assert_eq!(s.demands[0].penalty, 7.0);
    assert!(!s.demands[0].backlog);
}

#[test]
fn route_is_replaced_by_its_pair() {
    let child = "[scenario]\nextends = \"base.toml\"\n[[route]]\nfrom = \"AAA\"\nto = \"BBB\"\nlead_time = 5\n";
    let dir = Dir::new(&[("base.toml", BASE), ("child.toml", child)]);
    let s = dir.load("child.toml").scenario;
    assert_eq!(s.routes.len(), 1);
    assert_eq!(s.routes[0].lead_time, 5);
}

#[test]
fn remove_applies_before_the_child_and_redefined_goes_last() {
    let child = r#"
[scenario]
extends = "base.toml"

[remove]
policies = ["p1"]
routes = ["AAA->BBB"]
demands = ["d2"]

[[policy]]
id = "p1"
scope = "BBB"
"#;
    let dir = Dir::new(&[("base.toml", BASE), ("child.toml", child)]);
    let s = dir.load("child.toml").scenario;
    assert_eq!(
        ids(&s.policies, |p| &p.id),
        ["p2", "p1"],
        "a removed then redefined policy goes after the base's"
    );
    assert!(s.routes.is_empty());
    assert_eq!(ids(&s.demands, |d| &d.id), ["d1"]);
}

#[test]
fn removing_a_missing_id_is_an_error_in_the_child() {
    let child = "[scenario]\nextends = \"base.toml\"\n[remove]\nactors = [\"DDD\"]\nroutes = [\"BBB->AAA\"]\n";
    let dir = Dir::new(&[("base.toml", BASE), ("child.toml", child)]);
    let errors = dir.errors("child.toml");
    assert_eq!(errors.len(), 2, "{}", caisson_scenario::render(&errors));
    for e in &errors {
        assert_eq!(e.code.as_str(), "remove-missing");
        assert!(e.file.ends_with("child.toml"));
        assert_eq!(
            e.line,
            Some(4).filter(|_| e.message.contains("DDD")).or(Some(5))
        );
    }
}

#[test]
fn removal_never_cascades() {
    // Removing an actor leaves the base's facility pointing at nothing:
    // reported where the base defined the facility.
    let child = "[scenario]\nextends = \"base.toml\"\n[remove]\nactors = [\"AAA\"]\n";
    let dir = Dir::new(&[("base.toml", BASE), ("child.toml", child)]);
    let errors = dir.errors("child.toml");
    let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
    // AAA was the only member of EU, so the bloc is gone too.
    assert_eq!(
        codes,
        [
            "unknown-actor",
            "unknown-scope",
            "unknown-scope",
            "unknown-actor"
        ],
        "{}",
        caisson_scenario::render(&errors)
    );
    let facility = &errors[0];
    assert!(facility.file.ends_with("base.toml"));
    assert_eq!(facility.entity.as_deref(), Some("facility \"plant\""));
    assert_eq!(facility.source_line.as_deref(), Some("actor = \"AAA\""));
}

#[test]
fn errors_are_located_in_the_file_that_holds_them() {
    let base = BASE.replace(
        "penalty = 5\n\n[[demand]]\nid = \"d2\"",
        "penalty = -5\n\n[[demand]]\nid = \"d2\"",
    );
    let child = "[scenario]\nextends = \"base.toml\"\n[[actor]]\nid = \"DDD\"\nnmae = \"x\"\n";
    let dir = Dir::new(&[("base.toml", &base), ("child.toml", child)]);
    let errors = dir.errors("child.toml");
    assert_eq!(errors.len(), 2, "{}", caisson_scenario::render(&errors));
    // The requested file's problems come first.
    assert_eq!(errors[0].code.as_str(), "unknown-field");
    assert!(errors[0].file.ends_with("child.toml"));
    assert_eq!(errors[0].line, Some(5));
    assert_eq!(errors[1].code.as_str(), "out-of-range");
    assert!(errors[1].file.ends_with("base.toml"));
    assert_eq!(errors[1].entity.as_deref(), Some("demand \"d1\""));
}

#[test]
fn required_fields_are_checked_on_the_merged_scenario() {
    // The child writes no name/start/periods: the base's apply.
    let dir = Dir::new(&[
        ("base.toml", BASE),
        ("child.toml", "[scenario]\nextends = \"base.toml\"\n"),
    ]);
    assert_eq!(dir.load("child.toml").scenario.name, "base");
    // A replacing entity must be complete on its own.
    let child = "[scenario]\nextends = \"base.toml\"\n[[demand]]\nid = \"d1\"\nquantity = 3\n";
    let dir = Dir::new(&[("base.toml", BASE), ("child.toml", child)]);
    let errors = dir.errors("child.toml");
    let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        ["missing-field"; 3],
        "{}",
        caisson_scenario::render(&errors)
    );
    assert!(errors.iter().all(|e| e.file.ends_with("child.toml")));
}

#[test]
fn chains_of_three_and_relative_paths() {
    let middle =
        "[scenario]\nextends = \"../base.toml\"\nname = \"middle\"\n[[actor]]\nid = \"DDD\"\n";
    let top = "[scenario]\nextends = \"sub/middle.toml\"\n[remove]\nactors = [\"DDD\"]\n";
    let dir = Dir::new(&[
        ("base.toml", BASE),
        ("sub/middle.toml", middle),
        ("top.toml", top),
    ]);
    let loaded = dir.load("top.toml");
    assert_eq!(loaded.scenario.name, "middle");
    assert_eq!(loaded.scenario.actors.len(), 3);
    assert_eq!(loaded.files.len(), 3);
}

#[test]
fn cycle_is_an_error() {
    let a = "[scenario]\nextends = \"b.toml\"\nname = \"a\"\n";
    let b = "[scenario]\nextends = \"a.toml\"\n";
    let dir = Dir::new(&[("a.toml", a), ("b.toml", b)]);
    let errors = dir.errors("a.toml");
    assert_eq!(errors.len(), 1, "{}", caisson_scenario::render(&errors));
    assert_eq!(errors[0].code.as_str(), "extends-cycle");
    assert!(errors[0].file.ends_with("b.toml"));
    assert_eq!(errors[0].line, Some(2));
}

#[test]
fn self_extension_is_a_cycle() {
    let dir = Dir::new(&[("a.toml", "[scenario]\nextends = \"a.toml\"\n")]);
    let errors = dir.errors("a.toml");
    assert_eq!(errors[0].code.as_str(), "extends-cycle");
}

#[test]
fn missing_base_is_an_error() {
    let dir = Dir::new(&[("child.toml", "[scenario]\nextends = \"nowhere.toml\"\n")]);
    let errors = dir.errors("child.toml");
    assert_eq!(errors.len(), 1, "{}", caisson_scenario::render(&errors));
    assert_eq!(errors[0].code.as_str(), "extends-not-found");
    assert_eq!(errors[0].line, Some(2));
    assert!(errors[0].message.contains("nowhere.toml"));
}

#[test]
fn syntax_error_in_base_is_reported_in_the_base() {
    let dir = Dir::new(&[
        ("base.toml", "[scenario\nname = 1\n"),
        ("child.toml", "[scenario]\nextends = \"base.toml\"\n"),
    ]);
    let errors = dir.errors("child.toml");
    assert_eq!(errors.len(), 1, "{}", caisson_scenario::render(&errors));
    assert_eq!(errors[0].code.as_str(), "syntax");
    assert!(errors[0].file.ends_with("base.toml"));
}

#[test]
fn a_json_variant_may_extend_a_toml_base() {
    let child = r#"{ "scenario": { "extends": "base.toml", "name": "json child" },
  "remove": { "demands": ["d2"] } }"#;
    let dir = Dir::new(&[("base.toml", BASE), ("child.json", child)]);
    let s = dir.load("child.json").scenario;
    assert_eq!(s.name, "json child");
    assert_eq!(s.demands.len(), 1);
}

#[test]
fn missing_file_is_reported() {
    let error = load_path(Path::new("/nonexistent/dir/scenario.toml")).expect_err("missing");
    assert_eq!(error.diagnostics()[0].code.as_str(), "read-failed");
    assert!(error.to_string().contains("/nonexistent/dir/scenario.toml"));
}
