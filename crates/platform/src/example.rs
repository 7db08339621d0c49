//! The European example of `examples/europe-2025/base.toml` split into the
//! parties of a round (`examples/europe-2025/platform/`, written by its
//! `split.py`): one organisation per state, coordinator and producer (a
//! group's national subsidiaries sharing `group`), the reference part, one
//! contribution per member and the contracts of `base.toml` as signed
//! contracts. The files are compiled in, so the example needs no file access.

use serde::Deserialize;

use crate::contract::SignedContract;
use crate::fragment::{check_fragment, Fragment};
use crate::media::MediaType;
use crate::org::{OrgKind, Organisation};
use crate::reference::ReferencePart;
use crate::visibility::Parties;

const ORGANISATIONS: &str =
    include_str!("../../../examples/europe-2025/platform/organisations.toml");
const REFERENCE: &str = include_str!("../../../examples/europe-2025/platform/reference.toml");
const CONTRACTS: &str = include_str!("../../../examples/europe-2025/platform/contracts.toml");

/// Each member's contribution (`fragments/ORG.toml`).
const FRAGMENTS: &[(&str, &str)] = &[
    (
        "eu-jp",
        include_str!("../../../examples/europe-2025/platform/fragments/eu-jp.toml"),
    ),
    (
        "nato-nspa",
        include_str!("../../../examples/europe-2025/platform/fragments/nato-nspa.toml"),
    ),
    (
        "cze",
        include_str!("../../../examples/europe-2025/platform/fragments/cze.toml"),
    ),
    (
        "deu",
        include_str!("../../../examples/europe-2025/platform/fragments/deu.toml"),
    ),
    (
        "esp",
        include_str!("../../../examples/europe-2025/platform/fragments/esp.toml"),
    ),
    (
        "fra",
        include_str!("../../../examples/europe-2025/platform/fragments/fra.toml"),
    ),
    (
        "gbr",
        include_str!("../../../examples/europe-2025/platform/fragments/gbr.toml"),
    ),
    (
        "nor",
        include_str!("../../../examples/europe-2025/platform/fragments/nor.toml"),
    ),
    (
        "pol",
        include_str!("../../../examples/europe-2025/platform/fragments/pol.toml"),
    ),
    (
        "srb",
        include_str!("../../../examples/europe-2025/platform/fragments/srb.toml"),
    ),
    (
        "che",
        include_str!("../../../examples/europe-2025/platform/fragments/che.toml"),
    ),
    (
        "kor",
        include_str!("../../../examples/europe-2025/platform/fragments/kor.toml"),
    ),
    (
        "ukr",
        include_str!("../../../examples/europe-2025/platform/fragments/ukr.toml"),
    ),
    (
        "usa",
        include_str!("../../../examples/europe-2025/platform/fragments/usa.toml"),
    ),
    (
        "rheinmetall-de",
        include_str!("../../../examples/europe-2025/platform/fragments/rheinmetall-de.toml"),
    ),
    (
        "nitrochemie-de",
        include_str!("../../../examples/europe-2025/platform/fragments/nitrochemie-de.toml"),
    ),
    (
        "asap-explosives",
        include_str!("../../../examples/europe-2025/platform/fragments/asap-explosives.toml"),
    ),
    (
        "rheinmetall-es",
        include_str!("../../../examples/europe-2025/platform/fragments/rheinmetall-es.toml"),
    ),
    (
        "rheinmetall-lt",
        include_str!("../../../examples/europe-2025/platform/fragments/rheinmetall-lt.toml"),
    ),
    (
        "nitrochemie-ch",
        include_str!("../../../examples/europe-2025/platform/fragments/nitrochemie-ch.toml"),
    ),
    (
        "csg-es",
        include_str!("../../../examples/europe-2025/platform/fragments/csg-es.toml"),
    ),
    (
        "csg-sk",
        include_str!("../../../examples/europe-2025/platform/fragments/csg-sk.toml"),
    ),
    (
        "csg-us",
        include_str!("../../../examples/europe-2025/platform/fragments/csg-us.toml"),
    ),
    (
        "csg-ua",
        include_str!("../../../examples/europe-2025/platform/fragments/csg-ua.toml"),
    ),
    (
        "knds-fr",
        include_str!("../../../examples/europe-2025/platform/fragments/knds-fr.toml"),
    ),
    (
        "thales-fr",
        include_str!("../../../examples/europe-2025/platform/fragments/thales-fr.toml"),
    ),
    (
        "eurenco-fr",
        include_str!("../../../examples/europe-2025/platform/fragments/eurenco-fr.toml"),
    ),
    (
        "eurenco-se",
        include_str!("../../../examples/europe-2025/platform/fragments/eurenco-se.toml"),
    ),
    (
        "explosia",
        include_str!("../../../examples/europe-2025/platform/fragments/explosia.toml"),
    ),
    (
        "pgz",
        include_str!("../../../examples/europe-2025/platform/fragments/pgz.toml"),
    ),
    (
        "vmz",
        include_str!("../../../examples/europe-2025/platform/fragments/vmz.toml"),
    ),
    (
        "nammo-dk",
        include_str!("../../../examples/europe-2025/platform/fragments/nammo-dk.toml"),
    ),
    (
        "nammo-no",
        include_str!("../../../examples/europe-2025/platform/fragments/nammo-no.toml"),
    ),
    (
        "bae-uk",
        include_str!("../../../examples/europe-2025/platform/fragments/bae-uk.toml"),
    ),
    (
        "chemring-no",
        include_str!("../../../examples/europe-2025/platform/fragments/chemring-no.toml"),
    ),
    (
        "krusik",
        include_str!("../../../examples/europe-2025/platform/fragments/krusik.toml"),
    ),
    (
        "sloboda",
        include_str!("../../../examples/europe-2025/platform/fragments/sloboda.toml"),
    ),
    (
        "mb-namenska",
        include_str!("../../../examples/europe-2025/platform/fragments/mb-namenska.toml"),
    ),
    (
        "trayal",
        include_str!("../../../examples/europe-2025/platform/fragments/trayal.toml"),
    ),
    (
        "ukroboronprom",
        include_str!("../../../examples/europe-2025/platform/fragments/ukroboronprom.toml"),
    ),
    (
        "us-army-jmc",
        include_str!("../../../examples/europe-2025/platform/fragments/us-army-jmc.toml"),
    ),
    (
        "kor-industry",
        include_str!("../../../examples/europe-2025/platform/fragments/kor-industry.toml"),
    ),
    (
        "row-holders",
        include_str!("../../../examples/europe-2025/platform/fragments/row-holders.toml"),
    ),
];

/// `organisations.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganisationsFile {
    round: RoundFile,
    organisation: Vec<Organisation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundFile {
    coordinator: String,
}

/// `contracts.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractsFile {
    contract: Vec<SignedContract>,
}

/// The European example as a round, with what [`europe_example`] leaves out.
#[derive(Debug, Clone)]
pub struct EuropeRound {
    /// The round's parties (the coordinator `eu-jp` and every member).
    pub parties: Parties,
    /// The reference part.
    pub reference: ReferencePart,
    /// Every member with its contribution, in `organisations.toml` order.
    pub members: Vec<(Organisation, Fragment)>,
    /// The contracts of `base.toml`, signed.
    pub contracts: Vec<SignedContract>,
    /// Organisations that are no members (observers).
    pub observers: Vec<Organisation>,
}

impl EuropeRound {
    /// The members paired with their contributions, as [`crate::assemble`] takes them.
    pub fn member_refs(&self) -> Vec<(&Organisation, Option<&Fragment>)> {
        self.members
            .iter()
            .map(|(org, fragment)| (org, Some(fragment)))
            .collect()
    }
}

/// The European example as a round: its reference part, every member with
/// its contribution, and the contracts of `base.toml` as signed contracts.
///
/// # Panics
/// Never for the files compiled in (the crate's tests load them); the
/// example is data of this crate, not input.
pub fn europe_example() -> (
    ReferencePart,
    Vec<(Organisation, Fragment)>,
    Vec<SignedContract>,
) {
    let round = europe_round();
    (round.reference, round.members, round.contracts)
}

/// The European example with its parties and observers.
///
/// # Panics
/// As [`europe_example`].
#[allow(clippy::expect_used)]
pub fn europe_round() -> EuropeRound {
    let organisations: OrganisationsFile = toml::from_str(ORGANISATIONS)
        .expect("examples/europe-2025/platform/organisations.toml is valid");
    let reference = ReferencePart::parse(REFERENCE, MediaType::Toml)
        .expect("examples/europe-2025/platform/reference.toml is valid");
    let contracts: ContractsFile =
        toml::from_str(CONTRACTS).expect("examples/europe-2025/platform/contracts.toml is valid");
    let mut members = Vec::new();
    let mut observers = Vec::new();
    for org in organisations.organisation {
        if org.kind == OrgKind::Observer {
            observers.push(org);
            continue;
        }
        let text = FRAGMENTS
            .iter()
            .find(|(id, _)| *id == org.id)
            .map_or("", |(_, text)| *text);
        let fragment = check_fragment(&org, text, MediaType::Toml)
            .unwrap_or_else(|error| panic!("fragments/{}.toml: {error}", org.id));
        members.push((org, fragment));
    }
    let coordinator = members
        .iter()
        .map(|(org, _)| org.clone())
        .find(|org| org.id == organisations.round.coordinator)
        .expect("the round's coordinator is a member");
    let parties = Parties::new(
        coordinator,
        members.iter().map(|(org, _)| org.clone()).collect(),
    );
    EuropeRound {
        parties,
        reference,
        members,
        contracts: contracts.contract,
        observers,
    }
}
