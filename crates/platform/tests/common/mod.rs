//! A small round shared by the tests: Serbia (two producers of one group
//! and a third), Germany, the EU's joint procurement, Ukraine.

#![allow(dead_code)]

use caisson_platform::{MediaType, OrgKind, Organisation, ReferencePart};

pub const REFERENCE: &str = r#"[scenario]
name = "small-round"
start = "2026-01"
periods = 3

[[actor]]
id = "SRB"

[[actor]]
id = "DEU"
blocs = ["EU"]

[[actor]]
id = "EUJ"
blocs = ["EU"]

[[actor]]
id = "UKR"
belligerent = true

[[product]]
id = "shell"

[[product]]
id = "mortar"

[[route]]
from = "SRB"
to = "DEU"
lead_time = 1
"#;

pub fn reference() -> ReferencePart {
    ReferencePart::parse(REFERENCE, MediaType::Toml).expect("the reference part is valid")
}

pub fn org(id: &str, kind: OrgKind, actor: Option<&str>) -> Organisation {
    Organisation {
        id: id.to_owned(),
        name: id.to_owned(),
        kind,
        actor: actor.map(str::to_owned),
        buys_for: Vec::new(),
        blocs: Vec::new(),
        group: None,
    }
}

/// The coordinator: buys for the EU's joint procurement, speaks for the EU.
pub fn eu() -> Organisation {
    Organisation {
        buys_for: vec!["EUJ".into()],
        blocs: vec!["EU".into()],
        ..org("eu", OrgKind::Coordinator, None)
    }
}

pub fn producer(id: &str, actor: &str, group: Option<&str>) -> Organisation {
    Organisation {
        group: group.map(str::to_owned),
        ..org(id, OrgKind::Producer, Some(actor))
    }
}

pub fn state(id: &str, actor: &str) -> Organisation {
    org(id, OrgKind::State, Some(actor))
}

/// A producer's facility in TOML: one line making `product`.
pub fn facility(id: &str, actor: &str, product: &str, capacity: f64) -> String {
    format!(
        "[[facility]]\nid = \"{id}\"\nactor = \"{actor}\"\n\n[[facility.line]]\nid = \"main\"\ncapacity = {capacity}\nproducts = {{ {product} = {{ rate = 1, cost = 10 }} }}\n\n"
    )
}

/// A demand in TOML.
pub fn demand(id: &str, buyer: &str, product: &str) -> String {
    format!(
        "[[demand]]\nid = \"{id}\"\nbuyer = \"{buyer}\"\nend_user = \"UKR\"\nproduct = \"{product}\"\nquantity = 5\npenalty = 1000\n\n"
    )
}
