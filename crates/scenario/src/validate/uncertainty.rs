//! Checks on `[[uncertainty]]` entries of the merged scenario and their
//! conversion to the model (an extension of the spec, `docs/uncertainty.md`):
//! required fields per `kind`, fields that do not fit the `kind` or the
//! `distribution`, parameter order, and references to demands, facilities
//! and actors (with "did you mean").

use std::collections::HashMap;

use caisson_model::{
    ActorId, DemandId, Distribution, Facility, FacilityId, PeriodRange, Policy, PolicyId,
    PoliticalEffect, SwitchTiming, Targets, Uncertainty, UncertaintyKind, Window,
};

use super::{Builder, Kind};
use crate::diagnostic::{suggest, Code, Problem};
use crate::raw::{DistributionName, Field, RawTargets, RawUncertainty, Sp, UncertaintyKindName};
use crate::schema::Fields;
use crate::source::Loc;

/// Fields every entry may have.
const COMMON: &[&str] = &["id", "kind"];

/// The fields each kind accepts besides [`COMMON`] and the distribution
/// parameters.
fn kind_fields(kind: UncertaintyKindName) -> &'static [&'static str] {
    match kind {
        UncertaintyKindName::Demand => &["demands", "distribution", "shared"],
        UncertaintyKindName::Outage => &["facilities", "actor", "probability", "duration"],
        UncertaintyKindName::Yield => &["facilities", "actor", "distribution", "shared"],
        UncertaintyKindName::Delay => &["from", "to", "probability", "extra", "shared"],
        UncertaintyKindName::Political => &[
            "probability",
            "hazard",
            "since",
            "until",
            "start_policies",
            "end_policies",
            "exporter",
            "stops_exporting_to",
            "close_routes",
        ],
    }
}

/// The parameters of each distribution.
fn distribution_fields(distribution: DistributionName) -> &'static [&'static str] {
    match distribution {
        DistributionName::Lognormal => &["median", "mean", "sigma"],
        DistributionName::Triangular => &["min", "mode", "max"],
        DistributionName::Uniform => &["min", "max"],
    }
}

const PARAMETERS: &[&str] = &["median", "mean", "sigma", "min", "mode", "max"];

impl Builder<'_> {
    pub(super) fn uncertainty(
        &mut self,
        raw: &[RawUncertainty],
        demand_ids: &[String],
        facilities: &[Facility],
        policies: &[Policy],
    ) -> Vec<Uncertainty> {
        let mut seen = HashMap::new();
        let mut list = Vec::new();
        for u in raw {
            let entity = &u.entity;
            self.check_required(u, u.at, entity);
            let id = u.id.sp().cloned();
            if let Some(id) = &id {
                self.unique(&mut seen, id, "uncertainty", entity);
            }
            let Some(kind) = u.kind.get().copied() else {
                continue;
            };
            self.not_applicable(u, kind);
            let parsed = match kind {
                UncertaintyKindName::Demand => self.demand_multiplier(u, demand_ids),
                UncertaintyKindName::Outage => self.outage(u, facilities),
                UncertaintyKindName::Yield => self.capacity_yield(u, facilities),
                UncertaintyKindName::Delay => self.delay(u),
                UncertaintyKindName::Political => self.political(u, policies),
            };
            if let (Some(id), Some(kind)) = (id, parsed) {
                list.push(Uncertainty { id: id.value, kind });
            }
        }
        list
    }

    /// Reports every written field that the entry's kind (or distribution)
    /// does not read, so that a misplaced field is never silently ignored.
    fn not_applicable(&mut self, u: &RawUncertainty, kind: UncertaintyKindName) {
        let allowed = kind_fields(kind);
        let takes_distribution = allowed.contains(&"distribution");
        for (name, at) in u.written() {
            if COMMON.contains(&name) || allowed.contains(&name) {
                continue;
            }
            let is_parameter = PARAMETERS.contains(&name);
            let (message, hint) = match (takes_distribution && is_parameter, u.distribution.get()) {
                (true, Some(&d)) if distribution_fields(d).contains(&name) => continue,
                (true, Some(&d)) => (
                    format!("`{name}` is not a parameter of a {} distribution", d.name()),
                    format!(
                        "a {} distribution takes {}",
                        d.name(),
                        quoted(distribution_fields(d))
                    ),
                ),
                // Without a valid `distribution` (reported elsewhere) its
                // parameters cannot be judged.
                (true, None) => continue,
                (false, _) => (
                    format!(
                        "`{name}` does not apply to an uncertainty of kind \"{}\"",
                        kind.name()
                    ),
                    format!("kind \"{}\" takes {}", kind.name(), quoted(allowed)),
                ),
            };
            self.push(
                Problem::error(Code::FieldNotApplicable, at, message)
                    .entity(&u.entity)
                    .hint(hint),
            );
        }
    }

    fn demand_multiplier(
        &mut self,
        u: &RawUncertainty,
        demand_ids: &[String],
    ) -> Option<UncertaintyKind> {
        let entity = &u.entity;
        let targets = self.required(&u.demands, "demands", u.at, entity).cloned();
        let distribution = self.distribution(u);
        let demands = match targets?.value {
            RawTargets::All => Targets::All,
            RawTargets::Only(ids) => {
                if ids.is_empty() {
                    self.nothing_targeted(u.demands.sp().map_or(u.at, |s| s.at), "demands", entity);
                }
                let mut found = Vec::new();
                for id in &ids {
                    let Some(index) = self.demand(id, demand_ids, entity) else {
                        continue;
                    };
                    let d = DemandId::new(index);
                    if found.contains(&d) {
                        self.listed_twice(id, entity);
                    } else {
                        found.push(d);
                    }
                }
                Targets::Only(found)
            }
        };
        Some(UncertaintyKind::DemandMultiplier {
            demands,
            distribution: distribution?,
            shared: u.shared.get().copied().unwrap_or(false),
        })
    }

    fn outage(&mut self, u: &RawUncertainty, facilities: &[Facility]) -> Option<UncertaintyKind> {
        let entity = &u.entity;
        let targets = self.facility_targets(u, facilities);
        let probability = self
            .required(&u.probability, "probability", u.at, entity)
            .map(|s| s.value);
        let duration = self
            .required(&u.duration, "duration", u.at, entity)
            .map(|s| s.value);
        let (min, max) = duration?;
        Some(UncertaintyKind::FacilityOutage {
            facilities: targets?,
            probability: probability?,
            duration: PeriodRange { min, max },
        })
    }

    fn capacity_yield(
        &mut self,
        u: &RawUncertainty,
        facilities: &[Facility],
    ) -> Option<UncertaintyKind> {
        let targets = self.facility_targets(u, facilities);
        let distribution = self.distribution(u);
        Some(UncertaintyKind::CapacityYield {
            facilities: targets?,
            distribution: distribution?,
            shared: u.shared.get().copied().unwrap_or(false),
        })
    }

    fn delay(&mut self, u: &RawUncertainty) -> Option<UncertaintyKind> {
        let entity = &u.entity;
        let mut ok = true;
        let mut endpoint = |b: &mut Self, field: &Field<String>, name: &str| match field.sp() {
            Some(sp) => {
                let found = b.resolve(Kind::Actor, name, &sp.clone(), entity);
                ok &= found.is_some();
                found.map(ActorId::new)
            }
            None => None,
        };
        let from = endpoint(self, &u.from, "from");
        let to = endpoint(self, &u.to, "to");
        let extra = self
            .required(&u.extra, "extra", u.at, entity)
            .map(|s| s.value);
        let (min, max) = extra?;
        if !ok {
            return None;
        }
        Some(UncertaintyKind::RouteDelay {
            from,
            to,
            probability: u.probability.get().copied().unwrap_or(1.0),
            extra: PeriodRange { min, max },
            shared: u.shared.get().copied().unwrap_or(false),
        })
    }

    /// A political switch (`docs/uncertainty.md`): its timing (`hazard` or
    /// `probability`), the window it may fall in, and at least one effect.
    fn political(&mut self, u: &RawUncertainty, policies: &[Policy]) -> Option<UncertaintyKind> {
        let entity = &u.entity;
        let mut ok = true;
        let timing = match (u.hazard.sp(), u.probability.sp()) {
            (Some(_), Some(p)) => {
                self.push(
                    Problem::error(
                        Code::ConflictingFields,
                        p.at,
                        "`hazard` and `probability` are both written",
                    )
                    .entity(entity)
                    .hint("give a yearly `hazard`, or the `probability` that the switch happens within the window, not both"),
                );
                None
            }
            (Some(h), None) => Some(SwitchTiming::Hazard(h.value)),
            (None, Some(p)) => Some(SwitchTiming::Chance(p.value)),
            (None, None) => {
                if !matches!(u.hazard, Field::Invalid) && !matches!(u.probability, Field::Invalid) {
                    self.push(
                        Problem::error(Code::MissingField, u.at, "missing required field `hazard`")
                            .entity(entity)
                            .hint("a political switch takes a yearly `hazard`, or a `probability` that it happens within `since`..`until`"),
                    );
                }
                None
            }
        };
        let n = self.periods;
        let window = self
            .time_window((&u.since, "since"), (&u.until, "until"), entity)
            .unwrap_or(Window { start: 0, end: n });
        let mut effects = Vec::new();
        let mut policy_list = |b: &mut Self, field: &Field<Vec<Sp<String>>>, name: &str| {
            let mut found = Vec::new();
            for id in field.get().map_or(&[][..], |v| v.as_slice()) {
                match policies.iter().position(|p| p.id == id.value) {
                    Some(i) => found.push(PolicyId::new(i)),
                    None => {
                        let hint = suggest(
                            &id.value,
                            "policies",
                            policies.iter().map(|p| p.id.as_str()),
                        );
                        b.push(
                            Problem::error(
                                Code::UnknownPolicy,
                                id.at,
                                format!("unknown policy \"{}\" in `{name}`", id.value),
                            )
                            .entity(entity)
                            .maybe_hint(hint),
                        );
                        ok = false;
                    }
                }
            }
            found
        };
        let starts = policy_list(self, &u.start_policies, "start_policies");
        let ends = policy_list(self, &u.end_policies, "end_policies");
        effects.extend(starts.into_iter().map(PoliticalEffect::StartPolicy));
        effects.extend(ends.into_iter().map(PoliticalEffect::EndPolicy));
        match (u.exporter.sp(), u.stops_exporting_to.sp()) {
            (Some(exporter), Some(_)) => {
                let exporter = self.resolve(Kind::Actor, "exporter", &exporter.clone(), entity);
                let to = self.selectors(&u.stops_exporting_to, "stops_exporting_to", entity);
                match exporter {
                    Some(a) => effects.push(PoliticalEffect::StopExports {
                        exporter: ActorId::new(a),
                        to,
                    }),
                    None => ok = false,
                }
            }
            (Some(exporter), None) => {
                self.push(
                    Problem::error(
                        Code::MissingField,
                        exporter.at,
                        "missing required field `stops_exporting_to`",
                    )
                    .entity(entity)
                    .hint("an exporter's loss names whom it stops exporting to: actor or bloc ids, \"belligerent\" or \"*\""),
                );
                ok = false;
            }
            (None, Some(list)) => {
                self.push(
                    Problem::error(
                        Code::MissingField,
                        list.at,
                        "missing required field `exporter`",
                    )
                    .entity(entity)
                    .hint("name the actor that stops exporting"),
                );
                ok = false;
            }
            (None, None) => {}
        }
        for route in u.close_routes.get().map_or(&[][..], |v| v.as_slice()) {
            let ends: Option<(&str, &str)> = route.value.split_once("->");
            let resolved = ends.map(|(a, b)| {
                let find = |id: &str| self.actors.get(id.trim()).copied();
                (find(a), find(b))
            });
            match resolved {
                Some((Some(from), Some(to))) => effects.push(PoliticalEffect::CloseRoute {
                    from: ActorId::new(from),
                    to: ActorId::new(to),
                }),
                _ => {
                    self.push(
                        Problem::error(
                            Code::BadRoute,
                            route.at,
                            format!(
                                "`close_routes`: \"{}\" is not a route between two actors",
                                route.value
                            ),
                        )
                        .entity(entity)
                        .hint("write a route as \"FROM->TO\" with two actor ids"),
                    );
                    ok = false;
                }
            }
        }
        if effects.is_empty() && ok {
            self.push(
                Problem::error(Code::MissingField, u.at, "a political switch has no effect")
                    .entity(entity)
                    .hint("write `start_policies`, `end_policies`, `exporter` with `stops_exporting_to`, or `close_routes`"),
            );
            return None;
        }
        if !ok {
            return None;
        }
        Some(UncertaintyKind::Political {
            timing: timing?,
            window,
            effects,
        })
    }

    /// `facilities` (ids or `"*"`) or `actor` (every facility of that
    /// actor, in facility order): exactly one of them.
    fn facility_targets(
        &mut self,
        u: &RawUncertainty,
        facilities: &[Facility],
    ) -> Option<Targets<FacilityId>> {
        let entity = &u.entity;
        match (u.facilities.sp(), u.actor.sp()) {
            (Some(_), Some(actor)) => {
                self.push(
                    Problem::error(
                        Code::ConflictingFields,
                        actor.at,
                        "`facilities` and `actor` are both written",
                    )
                    .entity(entity)
                    .hint("name the facilities, or one actor whose facilities are all affected, not both"),
                );
                None
            }
            (Some(sp), None) => match &sp.value {
                RawTargets::All => Some(Targets::All),
                RawTargets::Only(ids) => {
                    if ids.is_empty() {
                        self.nothing_targeted(sp.at, "facilities", entity);
                    }
                    let mut found = Vec::new();
                    let mut ok = true;
                    for id in ids {
                        match self.resolve(Kind::Facility, "facilities", id, entity) {
                            Some(index) => {
                                let f = FacilityId::new(index);
                                if found.contains(&f) {
                                    self.listed_twice(id, entity);
                                } else {
                                    found.push(f);
                                }
                            }
                            None => ok = false,
                        }
                    }
                    ok.then_some(Targets::Only(found))
                }
            },
            (None, Some(actor)) => {
                let a = ActorId::new(self.resolve(Kind::Actor, "actor", &actor.clone(), entity)?);
                let own: Vec<FacilityId> = (0..facilities.len())
                    .filter(|&i| facilities[i].actor == a)
                    .map(FacilityId::new)
                    .collect();
                if own.is_empty() {
                    self.push(
                        Problem::warning(
                            Code::EmptyTargets,
                            actor.at,
                            format!(
                                "actor \"{}\" has no facility: this uncertainty affects nothing",
                                actor.value
                            ),
                        )
                        .entity(entity),
                    );
                }
                Some(Targets::Only(own))
            }
            (None, None) => {
                let invalid =
                    matches!(u.facilities, Field::Invalid) || matches!(u.actor, Field::Invalid);
                if !invalid {
                    self.push(
                        Problem::error(
                            Code::MissingField,
                            u.at,
                            "missing required field `facilities`",
                        )
                        .entity(entity)
                        .hint("write `facilities = [\"id\", ...]` or `\"*\"`, or `actor = \"id\"` for all of one actor's facilities"),
                    );
                }
                None
            }
        }
    }

    /// The distribution and its parameters, checked for completeness and
    /// order.
    fn distribution(&mut self, u: &RawUncertainty) -> Option<Distribution> {
        let entity = &u.entity;
        let name = self
            .required(&u.distribution, "distribution", u.at, entity)?
            .value;
        match name {
            DistributionName::Lognormal => {
                let median = match (u.median.sp(), u.mean.sp()) {
                    (Some(_), Some(mean)) => {
                        self.push(
                            Problem::error(
                                Code::ConflictingFields,
                                mean.at,
                                "`median` and `mean` are both written",
                            )
                            .entity(entity)
                            .hint("give the lognormal's median or its mean, not both"),
                        );
                        None
                    }
                    (Some(median), None) => Some(median.value),
                    (None, Some(mean)) => Some(mean.value),
                    (None, None) => {
                        if !matches!(u.median, Field::Invalid) && !matches!(u.mean, Field::Invalid)
                        {
                            self.push(
                                Problem::error(
                                    Code::MissingField,
                                    u.at,
                                    "missing required field `median`",
                                )
                                .entity(entity)
                                .hint("a lognormal takes `median` (or `mean`) and `sigma`"),
                            );
                        }
                        None
                    }
                };
                let sigma = self
                    .required(&u.sigma, "sigma", u.at, entity)
                    .map(|s| s.value);
                let (median, sigma) = (median?, sigma?);
                // A mean m of exp(N(mu, sigma²)) is exp(mu + sigma²/2): the
                // median exp(mu) is m / exp(sigma²/2).
                let median = if u.median.sp().is_some() {
                    median
                } else {
                    median / (sigma * sigma / 2.0).exp()
                };
                if !(median.is_finite() && median > 0.0) {
                    let at = u.sigma.sp().map_or(u.at, |s| s.at);
                    self.push(
                        Problem::error(
                            Code::OutOfRange,
                            at,
                            format!("`sigma` = {sigma} is too large: the median of this lognormal is not a positive number"),
                        )
                        .entity(entity),
                    );
                    return None;
                }
                Some(Distribution::Lognormal { median, sigma })
            }
            DistributionName::Triangular => {
                let min = self.required(&u.min, "min", u.at, entity).cloned();
                let mode = self.required(&u.mode, "mode", u.at, entity).cloned();
                let max = self.required(&u.max, "max", u.at, entity).cloned();
                let (min, mode, max) = (min?, mode?, max?);
                if !self.ordered(&min, &max, "min", "max", entity)
                    || !self.ordered(&min, &mode, "min", "mode", entity)
                    || !self.ordered(&mode, &max, "mode", "max", entity)
                {
                    return None;
                }
                Some(Distribution::Triangular {
                    min: min.value,
                    mode: mode.value,
                    max: max.value,
                })
            }
            DistributionName::Uniform => {
                let min = self.required(&u.min, "min", u.at, entity).cloned();
                let max = self.required(&u.max, "max", u.at, entity).cloned();
                let (min, max) = (min?, max?);
                if !self.ordered(&min, &max, "min", "max", entity) {
                    return None;
                }
                Some(Distribution::Uniform {
                    min: min.value,
                    max: max.value,
                })
            }
        }
    }

    /// Whether `low <= high`; reports at `high` otherwise.
    fn ordered(
        &mut self,
        low: &Sp<f64>,
        high: &Sp<f64>,
        low_name: &str,
        high_name: &str,
        entity: &str,
    ) -> bool {
        if low.value <= high.value {
            return true;
        }
        self.push(
            Problem::error(
                Code::RangeOrder,
                high.at,
                format!(
                    "`{high_name}` ({}) is less than `{low_name}` ({})",
                    high.value, low.value
                ),
            )
            .entity(entity)
            .hint("a distribution needs min <= mode <= max"),
        );
        false
    }

    /// Resolves a demand id of a target list.
    fn demand(&mut self, id: &Sp<String>, demand_ids: &[String], entity: &str) -> Option<usize> {
        if let Some(index) = demand_ids.iter().position(|d| *d == id.value) {
            return Some(index);
        }
        let known = demand_ids
            .iter()
            .map(String::as_str)
            .filter(|d| !d.is_empty());
        let hint = suggest(&id.value, "demands", known);
        self.push(
            Problem::error(
                Code::UnknownDemand,
                id.at,
                format!("unknown demand \"{}\" in `demands`", id.value),
            )
            .entity(entity)
            .maybe_hint(hint),
        );
        None
    }

    fn nothing_targeted(&mut self, at: Loc, field: &str, entity: &str) {
        self.push(
            Problem::warning(
                Code::EmptyTargets,
                at,
                format!("`{field}` is empty: this uncertainty affects nothing"),
            )
            .entity(entity)
            .hint(format!("list some ids, or write `{field} = \"*\"` for all")),
        );
    }

    fn listed_twice(&mut self, id: &Sp<String>, entity: &str) {
        self.push(
            Problem::warning(
                Code::DuplicateEntry,
                id.at,
                format!("\"{}\" is listed twice", id.value),
            )
            .entity(entity),
        );
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
