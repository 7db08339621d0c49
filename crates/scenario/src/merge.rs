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
use crate::schema::Fields;
use crate::schema::RawAssumption;

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
    RawUncertainty,
    RawAssumption
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
        actors: merge_list(base.actors, &remove.actors, actors, problems),
        products: merge_list(base.products, &remove.products, products, problems),
        facilities: merge_list(base.facilities, &remove.facilities, facilities, problems),
        routes: merge_list(base.routes, &remove.routes, routes, problems),
        demands: merge_list(base.demands, &remove.demands, demands, problems),
        contracts: merge_list(base.contracts, &remove.contracts, contracts, problems),
        policies: merge_list(base.policies, &remove.policies, policies, problems),
        uncertainty: merge_list(base.uncertainty, &remove.uncertainty, uncertainty, problems),
        // `[[assumption]]` entries replace the base's entry of the same id
        // whole (there is no `[remove]` list for them).
        assumptions: merge_list(base.assumptions, &Field::Missing, assumptions, problems),
        remove: None,
    }
}

fn merge_header(base: RawHeader, child: RawHeader) -> RawHeader {
    let mut header = child.over(base);
    // `extends` belongs to the file that wrote it; the merged result
    // extends nothing.
    header.extends = Field::Missing;
    header
}

/// Applies the `[remove]` list of this kind of entity to `base`, then
/// `child`'s entities of the kind.
fn merge_list<T: Keyed + Fields>(
    mut base: Vec<T>,
    remove: &Field<Vec<Sp<String>>>,
    child: Vec<T>,
    problems: &mut Vec<Problem>,
) -> Vec<T> {
    let kind = T::SCHEMA;
    for id in remove.get().map_or(&[][..], Vec::as_slice) {
        match base
            .iter()
            .position(|b| b.key().as_deref() == Some(id.value.as_str()))
        {
            Some(i) => {
                base.remove(i);
            }
            None => {
                let keys: Vec<String> = base.iter().filter_map(Keyed::key).collect();
                let hint = suggest(&id.value, kind.plural, keys.iter().map(String::as_str));
                problems.push(
                    Problem::error(
                        Code::RemoveMissing,
                        id.at,
                        format!(
                            "cannot remove \"{}\": the base has no such {}",
                            id.value, kind.noun
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
