//! Scenario edits behind "what if" questions: a supplier lost, a policy lifted.
//!
//! Each function returns a new, still valid [`Scenario`] (every model
//! invariant kept), so the edited scenario can be planned like any other.

use caisson_model::{
    ActorId, ExpansionId, FacilityId, LineId, Party, Policy, PolicyId, PolicyList, Scenario,
    Selector,
};
use caisson_plan::Flows;

/// The id of the policy added by [`without_exporter`]; the `caisson:` prefix
/// cannot clash with the user's ids in practice and marks it as synthetic.
pub fn lost_exporter_policy_id(actor: &str) -> String {
    format!("caisson:lost-exporter:{actor}")
}

/// The scenario in which `actor` no longer exports anything: a policy binding
/// it denies export to every other actor. Like every leg rule, this also
/// stops the actor passing on to an end user what it bought as a buyer (a
/// lost ally re-transfers nothing); [`without_facility`] is the pure supply
/// view. Contracts of its facilities
/// with foreign buyers are dropped (a lost supplier honours no contract, and
/// charging their shortfall would blur the shortage the loss causes). Its
/// domestic supply is untouched.
pub fn without_exporter(scenario: &Scenario, actor: ActorId) -> Scenario {
    let mut edited = scenario.clone();
    let id = &scenario.actors[actor.index()].id;
    edited.policies.push(Policy {
        id: lost_exporter_policy_id(id),
        name: format!("what if: {id} exports nothing"),
        scope: Party::Actor(actor),
        deny_export: vec![Selector::All],
        deny_import: Vec::new(),
        deny_end_use: Vec::new(),
        window: None,
    });
    edited
        .contracts
        .retain(|c| scenario.facilities[c.facility.index()].actor != actor || c.buyer == actor);
    edited
}

/// The scenario without `facility`: its lines, expansions and the contracts
/// it supplies are removed too, and every index is remapped.
pub fn without_facility(scenario: &Scenario, facility: FacilityId) -> Scenario {
    let mut edited = scenario.clone();

    let line_map = remap(scenario.lines.len(), |l| {
        scenario.lines[l].facility != facility
    });
    let expansion_map = remap(scenario.expansions.len(), |e| {
        scenario.expansions[e].facility != facility
    });
    let facility_map = remap(scenario.facilities.len(), |f| f != facility.index());
    let fac = |f: FacilityId| FacilityId::new(facility_map[f.index()].unwrap_or(0));
    let line = |l: LineId| LineId::new(line_map[l.index()].unwrap_or(0));
    let expansion = |e: ExpansionId| ExpansionId::new(expansion_map[e.index()].unwrap_or(0));

    edited.lines.retain(|l| l.facility != facility);
    for l in &mut edited.lines {
        l.facility = fac(l.facility);
    }
    edited.expansions.retain(|e| e.facility != facility);
    for e in &mut edited.expansions {
        e.facility = fac(e.facility);
        e.line = line(e.line);
    }
    edited.contracts.retain(|c| c.facility != facility);
    for c in &mut edited.contracts {
        c.facility = fac(c.facility);
    }
    edited.facilities.remove(facility.index());
    for f in &mut edited.facilities {
        f.lines = f.lines.iter().map(|&l| line(l)).collect();
        f.expansions = f.expansions.iter().map(|&e| expansion(e)).collect();
    }
    // Uncertainty entries (`simulate` only) keep valid facility indices.
    for u in &mut edited.uncertainty {
        if let caisson_model::UncertaintyKind::FacilityOutage {
            facilities: caisson_model::Targets::Only(list),
            ..
        }
        | caisson_model::UncertaintyKind::CapacityYield {
            facilities: caisson_model::Targets::Only(list),
            ..
        } = &mut u.kind
        {
            list.retain(|&f| f != facility);
            for f in list.iter_mut() {
                *f = fac(*f);
            }
        }
    }
    edited
}

/// `flows` of `scenario` in the indices of [`without_facility`]`(scenario,
/// facility)`: what a re-solve of the base model with the facility closed
/// found, as a plan of the scenario without it. Flows of the facility
/// itself (zero in such a solve) are dropped.
pub fn flows_without_facility(scenario: &Scenario, facility: FacilityId, flows: &Flows) -> Flows {
    let line_map = remap(scenario.lines.len(), |l| {
        scenario.lines[l].facility != facility
    });
    let expansion_map = remap(scenario.expansions.len(), |e| {
        scenario.expansions[e].facility != facility
    });
    let facility_map = remap(scenario.facilities.len(), |f| f != facility.index());
    let fac = |f: FacilityId| facility_map[f.index()].map(FacilityId::new);
    Flows {
        production: flows
            .production
            .iter()
            .filter_map(|&p| {
                let line = LineId::new(line_map[p.line.index()]?);
                Some(caisson_plan::ProductionFlow { line, ..p })
            })
            .collect(),
        shipments: flows
            .shipments
            .iter()
            .filter_map(|&s| {
                let facility = fac(s.facility)?;
                Some(caisson_plan::ShipmentFlow { facility, ..s })
            })
            .collect(),
        transfers: flows
            .transfers
            .iter()
            .filter_map(|&t| {
                let (from, to) = (fac(t.from)?, fac(t.to)?);
                Some(caisson_plan::TransferFlow { from, to, ..t })
            })
            .collect(),
        expansions: flows
            .expansions
            .iter()
            .filter_map(|&e| {
                let expansion = ExpansionId::new(expansion_map[e.expansion.index()]?);
                Some(caisson_plan::ExpansionFlow { expansion, ..e })
            })
            .collect(),
    }
}

/// The scenario without `policy`.
pub fn without_policy(scenario: &Scenario, policy: PolicyId) -> Scenario {
    let mut edited = scenario.clone();
    edited.policies.remove(policy.index());
    edited
}

/// The scenario with one list of `policy` emptied.
pub fn without_policy_list(scenario: &Scenario, policy: PolicyId, list: PolicyList) -> Scenario {
    let mut edited = scenario.clone();
    let p = &mut edited.policies[policy.index()];
    match list {
        PolicyList::DenyExport => p.deny_export.clear(),
        PolicyList::DenyImport => p.deny_import.clear(),
        PolicyList::DenyEndUse => p.deny_end_use.clear(),
    }
    edited
}

/// New positions after dropping the entries `keep` rejects (`None` for those).
fn remap(len: usize, keep: impl Fn(usize) -> bool) -> Vec<Option<usize>> {
    let mut next = 0;
    (0..len)
        .map(|i| {
            keep(i).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}
