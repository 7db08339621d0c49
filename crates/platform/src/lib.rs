//! The platform's domain rules (spec `docs/spec/platform.md`, sections 1-3)
//! as pure functions: organisations and their kinds, the member rules of a
//! round, which tables and entities each organisation may contribute, ids
//! qualified by their owner, the assembled scenario of a round (validated
//! by the model's loader, diagnostics located in the submitted documents),
//! conversion between TOML and JSON, and what each party may see (of the
//! scenario, the errors, the capacity aggregates and a run's plan).
//!
//! This crate knows nothing of HTTP, databases, tokio or terminals: it
//! takes texts and typed values and returns typed results, or a
//! [`PlatformError`] with a stable code. It never reads a file: scenario
//! texts are loaded from memory, and a text that would make the loader
//! follow `extends` is refused before the loader sees it.
//!
//! ```
//! use caisson_platform::{assemble, check_fragment, MediaType, OrgKind, Organisation, ReferencePart};
//!
//! let reference = ReferencePart::parse(
//!     "[scenario]\nname = \"r\"\nstart = \"2026-01\"\nperiods = 2\n\n\
//!      [[actor]]\nid = \"SRB\"\n\n[[product]]\nid = \"shell\"\n",
//!     MediaType::Toml,
//! )?;
//! let krusik = Organisation {
//!     id: "krusik".into(), name: "Krušik".into(), kind: OrgKind::Producer,
//!     actor: Some("SRB".into()), buys_for: vec![], blocs: vec![], group: None,
//! };
//! let fragment = check_fragment(
//!     &krusik,
//!     "[[facility]]\nid = \"plant\"\nactor = \"SRB\"\n\n[[facility.line]]\nid = \"a\"\ncapacity = 10\nproducts = { shell = {} }\n",
//!     MediaType::Toml,
//! )?;
//! let assembled = assemble(&reference, &[(&krusik, Some(&fragment))], &[])?;
//! assert_eq!(assembled.scenario.facilities[0].id, "krusik:plant");
//! # Ok::<(), caisson_platform::PlatformError>(())
//! ```

mod assemble;
mod authorize;
mod contract;
mod error;
pub mod example;
mod fragment;
mod media;
mod org;
pub mod plan_view;
mod reference;
pub mod visibility;

pub use assemble::{assemble, Assembled};
pub use authorize::POLICIES;
pub use contract::{Schedule, SignedContract};
pub use error::{Document, PlatformError, ScenarioDiagnostic};
pub use example::{europe_example, europe_round, EuropeRound};
pub use fragment::{allowed_tables, check_fragment, Fragment};
pub use media::{convert, MediaType};
pub use org::{
    check_member, check_members, is_organisation_id, OrgKind, Organisation, Role, UnknownName,
};
pub use plan_view::{visible_analysis, visible_plan, visible_product_kpis};
pub use reference::ReferencePart;
pub use visibility::{
    assemble_as, capacity_aggregates, visible_scenario, Access, Aggregate, Answer,
    CapacityAggregate, ContractParties, FacilityRef, Parties, Viewer,
};
