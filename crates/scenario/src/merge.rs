//! Variants: applying a child file on top of its merged base (spec
//! sections 5 and 7).
//!
//! `[remove]` is applied to the base first; then each child entity whose
//! key matches a base entity replaces it whole in the base's position, and
//! every other child entity is appended after the base's. `[scenario]`
//! fields the child writes override the base's one by one.

use crate::diagnostic::{suggest, Code, Problem};
use crate::raw::{
    Field, RawActor, RawContract, RawDemand, RawFacility, RawHeader, RawPolicy, RawProduct,
    RawRoute, RawScenario, RawUncertainty, Sp,
};

/// Something identified by a key within its kind.
pub(crate) trait Keyed {
    /// The key (id, or `FROM->TO` for a route), if well-formed.
    fn key(&self) -> Option<String>;
}

macro_rules! keyed_by_id {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> Option<String> {
                self.id.get().cloned()
            }
        }
    )*};
}

keyed_by_id!(
    RawActor,
    RawProduct,
    RawFacility,
    RawDemand,
    RawContract,
    RawPolicy,
    RawUncertainty
);

impl Keyed for RawRoute {
    fn key(&self) -> Option<String> {
        Some(route_key(self.from.get()?, self.to.get()?))
    }
}

/// The name of a route in `[remove] routes`.
pub(crate) fn route_key(from: &str, to: &str) -> String {
    format!("{from}->{to}")
}

/// Merges `child` (which extends) onto its already merged `base`.
pub(crate) fn merge(
    base: RawScenario,
    child: RawScenario,
    problems: &mut Vec<Problem>,
) -> RawScenario {
    let RawScenario {
        at,
        header_at,
        header,
        actors,
        products,
        facilities,
        routes,
        demands,
        contracts,
        policies,
        uncertainty,
        assumptions,
        remove,
    } = child;
    let remove = remove.map(|(_, r)| r).unwrap_or_default();
    RawScenario {
        at,
        header_at: header_at.or(base.header_at),
        header: merge_header(base.header, header),
        actors: merge_list(base.actors, &remove.actors, actors, "actors", problems),
        products: merge_list(
            base.products,
            &remove.products,
            products,
            "products",
            problems,
        ),
        facilities: merge_list(
            base.facilities,
            &remove.facilities,
            facilities,
            "facilities",
            problems,
        ),
        routes: merge_list(base.routes, &remove.routes, routes, "routes", problems),
        demands: merge_list(base.demands, &remove.demands, demands, "demands", problems),
        contracts: merge_list(
            base.contracts,
            &remove.contracts,
            contracts,
            "contracts",
            problems,
        ),
        policies: merge_list(
            base.policies,
            &remove.policies,
            policies,
            "policies",
            problems,
        ),
        uncertainty: merge_list(
            base.uncertainty,
            &remove.uncertainty,
            uncertainty,
            "uncertainty",
            problems,
        ),
        // `[[assumption]]` entries replace the base's entry of the same id
        // whole (there is no `[remove]` list for them).
        assumptions: merge_list(base.assumptions, &[], assumptions, "assumptions", problems),
        remove: None,
    }
}

fn pick<T>(base: Field<T>, child: Field<T>) -> Field<T> {
    if child.is_present() {
        child
    } else {
        base
    }
}

fn merge_header(base: RawHeader, child: RawHeader) -> RawHeader {
    RawHeader {
        name: pick(base.name, child.name),
        start: pick(base.start, child.start),
        period: pick(base.period, child.period),
        periods: pick(base.periods, child.periods),
        currency: pick(base.currency, child.currency),
        description: pick(base.description, child.description),
        default_lead_time: pick(base.default_lead_time, child.default_lead_time),
        default_unit_cost: pick(base.default_unit_cost, child.default_unit_cost),
        // `extends` belongs to the file that wrote it; the merged result
        // extends nothing.
        extends: Field::Missing,
    }
}

fn merge_list<T: Keyed>(
    mut base: Vec<T>,
    remove: &[Sp<String>],
    child: Vec<T>,
    kind: &str,
    problems: &mut Vec<Problem>,
) -> Vec<T> {
    for id in remove {
        match base
            .iter()
            .position(|b| b.key().as_deref() == Some(id.value.as_str()))
        {
            Some(i) => {
                base.remove(i);
            }
            None => {
                let keys: Vec<String> = base.iter().filter_map(Keyed::key).collect();
                let hint = suggest(&id.value, kind, keys.iter().map(String::as_str));
                problems.push(
                    Problem::error(
                        Code::RemoveMissing,
                        id.at,
                        format!(
                            "cannot remove \"{}\": the base has no such {}",
                            id.value,
                            singular(kind)
                        ),
                    )
                    .entity("remove")
                    .maybe_hint(hint),
                );
            }
        }
    }
    // Only entities of the base can be replaced: a second child entity with
    // the same key is appended, and reported as a duplicate later.
    let mut replaceable = vec![true; base.len()];
    for entity in child {
        let slot = entity.key().and_then(|key| {
            (0..replaceable.len())
                .find(|&i| replaceable[i] && base[i].key().as_deref() == Some(key.as_str()))
        });
        match slot {
            Some(i) => {
                base[i] = entity;
                replaceable[i] = false;
            }
            None => base.push(entity),
        }
    }
    base
}

fn singular(kind: &str) -> &str {
    match kind {
        "actors" => "actor",
        "products" => "product",
        "facilities" => "facility",
        "routes" => "route",
        "demands" => "demand",
        "contracts" => "contract",
        "policies" => "policy",
        "uncertainty" => "uncertainty entry",
        _ => kind,
    }
}
