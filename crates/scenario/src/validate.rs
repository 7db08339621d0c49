//! Checks on the merged scenario and its conversion to the model.
//!
//! Everything that needs the whole scenario is here: required fields,
//! defaults, references (with "did you mean"), uniqueness, blocs, the
//! bill-of-materials cycle check, period labels and expansion windows. The
//! walk never stops early: a scenario is built with placeholders where a
//! part is wrong, and the caller discards it if any error was recorded.

use std::collections::{HashMap, HashSet};

use caisson_model::{
    Actor, ActorId, Bloc, BlocId, Calendar, Contract, Demand, Expansion, ExpansionId, Facility,
    FacilityId, Line, LineId, LineProduct, Party, PeriodKind, Policy, Product, ProductId, Route,
    Scenario, Selector, Window,
};

use crate::diagnostic::{suggest, Code, Problem};
use crate::raw::{Field, RawScenario, Schedule, Sp};
use crate::schema::Fields;
use crate::source::Loc;

mod assumption;
mod uncertainty;

/// Validates a merged scenario and converts it; problems are appended.
pub(crate) fn build(raw: &RawScenario, problems: &mut Vec<Problem>) -> Scenario {
    let mut builder = Builder {
        problems,
        kind: None,
        start: None,
        periods: 0,
        actors: HashMap::new(),
        blocs: HashMap::new(),
        products: HashMap::new(),
        facilities: HashMap::new(),
        actor_ids: Vec::new(),
        bloc_ids: Vec::new(),
        product_ids: Vec::new(),
        facility_ids: Vec::new(),
    };
    builder.scenario(raw)
}

/// Which table a reference points into.
#[derive(Clone, Copy)]
enum Kind {
    Actor,
    Product,
    Facility,
}

struct Builder<'p> {
    problems: &'p mut Vec<Problem>,
    /// The scenario's period kind, when `period` is valid.
    kind: Option<PeriodKind>,
    /// The absolute start period, when `start` is valid.
    start: Option<i64>,
    /// N, or 0 when `periods` is invalid (schedules are then left empty).
    periods: usize,
    actors: HashMap<String, usize>,
    blocs: HashMap<String, usize>,
    products: HashMap<String, usize>,
    facilities: HashMap<String, usize>,
    actor_ids: Vec<String>,
    bloc_ids: Vec<String>,
    product_ids: Vec<String>,
    facility_ids: Vec<String>,
}

impl Builder<'_> {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn missing(&mut self, field: &str, at: Loc, entity: &str) {
        self.push(
            Problem::error(
                Code::MissingField,
                at,
                format!("missing required field `{field}`"),
            )
            .entity(entity),
        );
    }

    /// Reports every required field of `raw` (per its table in
    /// `schema.rs`) that is not written; `at` is where the table starts.
    fn check_required<T: Fields>(&mut self, raw: &T, at: Loc, entity: &str) {
        for name in raw.missing() {
            self.missing(name, at, entity);
        }
    }

    /// A field's value, reporting it when absent: for the fields whose
    /// presence depends on others (an uncertainty entry's `kind`).
    fn required<'f, T>(
        &mut self,
        field: &'f Field<T>,
        name: &str,
        at: Loc,
        entity: &str,
    ) -> Option<&'f Sp<T>> {
        if let Field::Missing = field {
            self.missing(name, at, entity);
        }
        field.sp()
    }

    /// Registers a unique id; reports a duplicate.
    fn unique(
        &mut self,
        seen: &mut HashMap<String, Loc>,
        id: &Sp<String>,
        what: &str,
        entity: &str,
    ) -> bool {
        if let Some(first) = seen.get(&id.value) {
            let first = *first;
            self.push(
                Problem::error(
                    Code::DuplicateId,
                    id.at,
                    format!("duplicate {what} id \"{}\"", id.value),
                )
                .entity(entity)
                .related("first defined at", first),
            );
            false
        } else {
            seen.insert(id.value.clone(), id.at);
            true
        }
    }

    fn resolve(
        &mut self,
        kind: Kind,
        field_name: &str,
        id: &Sp<String>,
        entity: &str,
    ) -> Option<usize> {
        let (map, ids, code, what) = match kind {
            Kind::Actor => (&self.actors, &self.actor_ids, Code::UnknownActor, "actor"),
            Kind::Product => (
                &self.products,
                &self.product_ids,
                Code::UnknownProduct,
                "product",
            ),
            Kind::Facility => (
                &self.facilities,
                &self.facility_ids,
                Code::UnknownFacility,
                "facility",
            ),
        };
        if let Some(&index) = map.get(&id.value) {
            return Some(index);
        }
        let plural = match kind {
            Kind::Actor => "actors",
            Kind::Product => "products",
            Kind::Facility => "facilities",
        };
        let known = ids.iter().map(String::as_str).filter(|id| !id.is_empty());
        let mut hint = suggest(&id.value, plural, known);
        if matches!(kind, Kind::Actor) && self.blocs.contains_key(&id.value) {
            hint = Some(format!(
                "\"{}\" is a bloc; `{field_name}` must name one actor",
                id.value
            ));
        }
        let problem = Problem::error(
            code,
            id.at,
            format!("unknown {what} \"{}\" in `{field_name}`", id.value),
        )
        .entity(entity)
        .maybe_hint(hint);
        self.push(problem);
        None
    }

    /// Resolves a required reference field (its absence is reported by
    /// [`Self::check_required`]).
    fn reference(
        &mut self,
        kind: Kind,
        field: &Field<String>,
        name: &str,
        entity: &str,
    ) -> Option<usize> {
        let sp = field.sp()?;
        self.resolve(kind, name, sp, entity)
    }

    // ----- labels and schedules ------------------------------------------

    /// The offset of a label from the start, reporting a malformed label or
    /// one of the wrong kind (`None` also when the start is unknown).
    fn offset(&mut self, label: &Sp<String>, what: &str, entity: &str) -> Option<i64> {
        let (kind, absolute) = match PeriodKind::parse_any(&label.value) {
            Ok(parsed) => parsed,
            Err(_) => {
                let example = self.kind.unwrap_or(PeriodKind::Month).example_label();
                self.push(
                    Problem::error(
                        Code::BadLabel,
                        label.at,
                        format!("`{what}`: \"{}\" is not a period label", label.value),
                    )
                    .entity(entity)
                    .hint(format!(
                        "labels look like \"2025-01\" (month), \"2025-Q1\" (quarter) or \"2025\" (year); this scenario's look like \"{example}\""
                    )),
                );
                return None;
            }
        };
        let expected = self.kind?;
        if kind != expected {
            self.push(
                Problem::error(
                    Code::WrongLabelKind,
                    label.at,
                    format!(
                        "`{what}`: \"{}\" is a {kind} label but this scenario's periods are {expected}s",
                        label.value
                    ),
                )
                .entity(entity)
                .hint(format!("write a {expected} label such as \"{}\"", expected.example_label())),
            );
            return None;
        }
        Some(absolute - self.start?)
    }

    /// Expands a schedule to one value per period (none when it is not
    /// written: a schedule is a required field).
    fn schedule(&mut self, field: &Field<Schedule>, name: &str, entity: &str) -> Vec<f64> {
        let Some(sp) = field.sp() else {
            return Vec::new();
        };
        let n = self.periods;
        match &sp.value {
            Schedule::Constant(v) => vec![*v; n],
            Schedule::Steps(steps) => {
                let mut keyed = Vec::new();
                for (label, value) in steps {
                    let Some(offset) = self.offset(label, name, entity) else {
                        continue;
                    };
                    if n > 0 && offset >= n as i64 {
                        let end = self.label_at(n as i64 - 1);
                        self.push(
                            Problem::warning(
                                Code::LabelAfterHorizon,
                                label.at,
                                format!(
                                    "`{name}`: \"{}\" is after the horizon (which ends at {end}) and is ignored",
                                    label.value
                                ),
                            )
                            .entity(entity),
                        );
                        continue;
                    }
                    keyed.push((offset, *value));
                }
                // A step function: the latest key at or before t; keys
                // before the start apply from the start; 0 before the first.
                keyed.sort_by_key(|&(offset, _)| offset);
                let mut values = vec![0.0; n];
                for (offset, value) in keyed {
                    let from = usize::try_from(offset.max(0)).unwrap_or(0);
                    for slot in values.iter_mut().skip(from) {
                        *slot = value;
                    }
                }
                values
            }
        }
    }

    fn label_at(&self, offset: i64) -> String {
        match (self.kind, self.start) {
            (Some(kind), Some(start)) => Calendar {
                kind,
                start,
                periods: 1,
            }
            .label_of_absolute(start + offset),
            _ => String::new(),
        }
    }

    // ----- the scenario --------------------------------------------------

    fn scenario(&mut self, raw: &RawScenario) -> Scenario {
        let header = &raw.header;
        let header_at = raw.header_at.unwrap_or(raw.at);
        let entity = "scenario";
        self.check_required(header, header_at, entity);
        let name = header
            .name
            .sp()
            .map(|s| s.value.clone())
            .unwrap_or_default();
        let start = header.start.sp().cloned();
        let periods = header.periods.sp().map(|s| s.value);
        self.kind = match &header.period {
            Field::Missing => Some(PeriodKind::Month),
            field => field.get().copied(),
        };
        // The start is a label like any other, read relative to period 0
        // of year 0; it then becomes the origin of every other label.
        if let Some(start) = &start {
            self.start = Some(0);
            self.start = self.offset(start, "start", entity);
        }
        self.periods = periods.map_or(0, |p| p as usize);
        let calendar = Calendar {
            kind: self.kind.unwrap_or(PeriodKind::Month),
            start: self.start.unwrap_or(0),
            periods: self.periods,
        };

        let (actors, blocs) = self.actors(raw);
        let products = self.products(raw);
        let (facilities, lines, expansions) = self.facilities(raw);
        let routes = self.routes(raw);
        let demands = self.demands(raw);
        let contracts = self.contracts(raw, &demands);
        let policies = self.policies(raw);
        let demand_ids: Vec<String> = demands.iter().map(|d| d.id.clone()).collect();
        let uncertainty = self.uncertainty(&raw.uncertainty, &demand_ids, &facilities, &policies);

        let mut scenario = Scenario {
            name,
            description: header.description.get().cloned(),
            calendar,
            currency: header
                .currency
                .get()
                .cloned()
                .unwrap_or_else(|| "EUR".to_owned()),
            default_lead_time: header.default_lead_time.get().copied().unwrap_or(0),
            default_unit_cost: header.default_unit_cost.get().copied().unwrap_or(0.0),
            actors,
            blocs,
            products,
            facilities,
            lines,
            expansions,
            routes,
            demands,
            contracts,
            policies,
            uncertainty,
            assumptions: Vec::new(),
        };
        scenario.assumptions = self.assumptions(&raw.assumptions, &scenario);
        scenario
    }

    fn actors(&mut self, raw: &RawScenario) -> (Vec<Actor>, Vec<Bloc>) {
        let mut seen = HashMap::new();
        let mut actors = Vec::new();
        for (index, actor) in raw.actors.iter().enumerate() {
            self.check_required(actor, actor.at, &actor.entity);
            let id = actor.id.sp().cloned();
            if let Some(id) = &id {
                if self.unique(&mut seen, id, "actor", &actor.entity) {
                    self.actors.insert(id.value.clone(), index);
                }
            }
            let id = id.map(|s| s.value).unwrap_or_default();
            self.actor_ids.push(id.clone());
            actors.push(Actor {
                name: actor.name.get().cloned().unwrap_or_else(|| id.clone()),
                id,
                blocs: Vec::new(),
                belligerent: actor.belligerent.get().copied().unwrap_or(false),
            });
        }
        // Blocs exist by being listed; they are numbered in order of first
        // mention, and a bloc named like an actor is reported once.
        let mut blocs: Vec<Bloc> = Vec::new();
        for (index, actor) in raw.actors.iter().enumerate() {
            let Some(list) = actor.blocs.get() else {
                continue;
            };
            for mention in list {
                if self.actors.contains_key(&mention.value) {
                    if !self.bloc_ids.contains(&mention.value) {
                        self.bloc_ids.push(mention.value.clone());
                        self.push(
                            Problem::error(
                                Code::BlocIsActor,
                                mention.at,
                                format!("bloc \"{}\" has the id of an actor", mention.value),
                            )
                            .entity(&actor.entity)
                            .hint("a bloc id must differ from every actor id"),
                        );
                    }
                    continue;
                }
                let b = match self.blocs.get(&mention.value) {
                    Some(&b) => b,
                    None => {
                        blocs.push(Bloc {
                            id: mention.value.clone(),
                            members: Vec::new(),
                        });
                        self.bloc_ids.push(mention.value.clone());
                        self.blocs.insert(mention.value.clone(), blocs.len() - 1);
                        blocs.len() - 1
                    }
                };
                let bloc_id = BlocId::new(b);
                if actors[index].blocs.contains(&bloc_id) {
                    self.push(
                        Problem::warning(
                            Code::DuplicateEntry,
                            mention.at,
                            format!("bloc \"{}\" is listed twice", mention.value),
                        )
                        .entity(&actor.entity),
                    );
                    continue;
                }
                actors[index].blocs.push(bloc_id);
                blocs[b].members.push(ActorId::new(index));
            }
        }
        (actors, blocs)
    }

    fn products(&mut self, raw: &RawScenario) -> Vec<Product> {
        let mut seen = HashMap::new();
        let mut products = Vec::new();
        for (index, product) in raw.products.iter().enumerate() {
            self.check_required(product, product.at, &product.entity);
            let id = product.id.sp().cloned();
            if let Some(id) = &id {
                if self.unique(&mut seen, id, "product", &product.entity) {
                    self.products.insert(id.value.clone(), index);
                }
            }
            let id = id.map(|s| s.value).unwrap_or_default();
            self.product_ids.push(id.clone());
            products.push(Product {
                name: product.name.get().cloned().unwrap_or_else(|| id.clone()),
                id,
                unit: product
                    .unit
                    .get()
                    .cloned()
                    .unwrap_or_else(|| "unit".to_owned()),
                inputs: Vec::new(),
                att_category: product.att_category.get().cloned(),
            });
        }
        // Inputs are resolved once every product is known (a product may
        // name a component defined after it).
        let mut input_at = vec![Vec::new(); products.len()];
        for (index, product) in raw.products.iter().enumerate() {
            let Some(inputs) = product.inputs.get() else {
                continue;
            };
            for (input, quantity) in inputs {
                if let Some(p) = self.resolve(Kind::Product, "inputs", input, &product.entity) {
                    products[index].inputs.push((ProductId::new(p), *quantity));
                    input_at[index].push(input.at);
                }
            }
        }
        self.bom_cycles(raw, &products, &input_at);
        products
    }

    /// Reports each cycle of the input graph once, at the input that closes it.
    fn bom_cycles(&mut self, raw: &RawScenario, products: &[Product], input_at: &[Vec<Loc>]) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut mark = vec![Mark::New; products.len()];
        for root in 0..products.len() {
            if mark[root] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (product, next input to visit).
            let mut stack = vec![(root, 0usize)];
            mark[root] = Mark::Open;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&(input, _)) = products[node].inputs.get(*next) {
                    let edge = *next;
                    *next += 1;
                    let input = input.index();
                    match mark[input] {
                        Mark::New => {
                            mark[input] = Mark::Open;
                            stack.push((input, 0));
                        }
                        Mark::Open => {
                            let from = stack.iter().position(|&(p, _)| p == input).unwrap_or(0);
                            let mut path: Vec<&str> = stack[from..]
                                .iter()
                                .map(|&(p, _)| products[p].id.as_str())
                                .collect();
                            path.push(products[input].id.as_str());
                            let message = format!(
                                "the inputs of products form a cycle: {}",
                                path.join(" -> ")
                            );
                            let at = input_at[node]
                                .get(edge)
                                .copied()
                                .unwrap_or(raw.products[node].at);
                            let entity = raw.products[node].entity.clone();
                            self.push(
                                Problem::error(Code::BomCycle, at, message)
                                    .entity(&entity)
                                    .hint(
                                    "a product cannot be made, directly or indirectly, from itself",
                                ),
                            );
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
    }

    fn facilities(&mut self, raw: &RawScenario) -> (Vec<Facility>, Vec<Line>, Vec<Expansion>) {
        let mut seen = HashMap::new();
        let mut facilities = Vec::new();
        let mut lines = Vec::new();
        let mut expansions = Vec::new();
        for (index, facility) in raw.facilities.iter().enumerate() {
            self.check_required(facility, facility.at, &facility.entity);
            let id = facility.id.sp().cloned();
            if let Some(id) = &id {
                if self.unique(&mut seen, id, "facility", &facility.entity) {
                    self.facilities.insert(id.value.clone(), index);
                }
            }
            self.facility_ids
                .push(id.map(|s| s.value).unwrap_or_default());
        }
        let mut expansion_ids = HashMap::new();
        for (index, facility) in raw.facilities.iter().enumerate() {
            let entity = &facility.entity;
            let actor = self.reference(Kind::Actor, &facility.actor, "actor", entity);
            let mut stock = Vec::new();
            for (product, quantity) in facility.stock.get().map_or(&[][..], |v| v.as_slice()) {
                if let Some(p) = self.resolve(Kind::Product, "stock", product, entity) {
                    stock.push((ProductId::new(p), *quantity));
                }
            }
            let id = FacilityId::new(index);
            let mut line_ids = Vec::new();
            let mut line_names: HashMap<String, LineId> = HashMap::new();
            let mut line_seen = HashMap::new();
            for line in &facility.lines {
                self.check_required(line, line.at, &line.entity);
                let line_id = line.id.sp().cloned();
                let capacity = self.schedule(&line.capacity, "capacity", &line.entity);
                let mut made = Vec::new();
                if let Some(list) = line.products.sp() {
                    for lp in &list.value {
                        if let Some(p) =
                            self.resolve(Kind::Product, "products", &lp.product, &line.entity)
                        {
                            made.push(LineProduct {
                                product: ProductId::new(p),
                                rate: lp.rate.unwrap_or(1.0),
                                cost: lp.cost.unwrap_or(0.0),
                            });
                        }
                    }
                }
                let lid = LineId::new(lines.len());
                if let Some(line_id) = &line_id {
                    if self.unique(&mut line_seen, line_id, "line", &line.entity) {
                        line_names.insert(line_id.value.clone(), lid);
                    }
                }
                line_ids.push(lid);
                lines.push(Line {
                    id: line_id.map(|s| s.value).unwrap_or_default(),
                    facility: id,
                    capacity,
                    products: made,
                });
            }
            let mut expansion_list = Vec::new();
            for expansion in &facility.expansions {
                self.check_required(expansion, expansion.at, &expansion.entity);
                let e_entity = &expansion.entity;
                let e_id = expansion.id.sp().cloned();
                if let Some(e_id) = &e_id {
                    self.unique(&mut expansion_ids, e_id, "expansion", e_entity);
                }
                let line = expansion.line.sp().cloned().and_then(|name| {
                    match line_names.get(&name.value) {
                        Some(&l) => Some(l),
                        None => {
                            let known: Vec<&str> = facility
                                .lines
                                .iter()
                                .filter_map(|l| l.id.get().map(String::as_str))
                                .collect();
                            let facility_name = self.facility_ids[index].clone();
                            let hint = suggest(&name.value, "lines of this facility", known);
                            self.push(
                                Problem::error(
                                    Code::UnknownLine,
                                    name.at,
                                    format!(
                                        "\"{}\" is not a line of facility \"{facility_name}\"",
                                        name.value
                                    ),
                                )
                                .entity(e_entity)
                                .maybe_hint(hint),
                            );
                            None
                        }
                    }
                });
                let capacity = expansion.capacity.sp().map(|s| s.value);
                let lead_time = expansion.lead_time.sp().map(|s| s.value);
                let capex = expansion.capex.sp().map(|s| s.value);
                let window = self.window(expansion, e_entity);
                expansion_list.push(ExpansionId::new(expansions.len()));
                expansions.push(Expansion {
                    id: e_id.map(|s| s.value).unwrap_or_default(),
                    facility: id,
                    line: line.unwrap_or(LineId::new(0)),
                    capacity: capacity.unwrap_or(0.0),
                    lead_time: lead_time.unwrap_or(0),
                    capex: capex.unwrap_or(0.0),
                    window,
                    integer: expansion.integer.get().copied().unwrap_or(true),
                });
            }
            facilities.push(Facility {
                id: self.facility_ids[index].clone(),
                name: facility
                    .name
                    .get()
                    .cloned()
                    .unwrap_or_else(|| self.facility_ids[index].clone()),
                actor: ActorId::new(actor.unwrap_or(0)),
                holding_cost: facility.holding_cost.get().copied().unwrap_or(0.0),
                stock,
                lines: line_ids,
                expansions: expansion_list,
            });
        }
        (facilities, lines, expansions)
    }

    /// The decision window of an expansion, clipped to the horizon.
    fn window(
        &mut self,
        expansion: &crate::raw::RawExpansion,
        entity: &str,
    ) -> Option<(usize, usize)> {
        let n = self.periods as i64;
        let earliest = match expansion.earliest.sp() {
            Some(label) => Some((self.offset(label, "earliest", entity)?, label.at)),
            None => None,
        };
        let latest = match expansion.latest.sp() {
            Some(label) => Some((self.offset(label, "latest", entity)?, label.at)),
            None => None,
        };
        if let (Some((e, at)), Some((l, _))) = (earliest, latest) {
            if e > l {
                let (e_label, l_label) = (self.label_at(e), self.label_at(l));
                self.push(
                    Problem::error(
                        Code::WindowOrder,
                        at,
                        format!("`earliest` ({e_label}) is after `latest` ({l_label})"),
                    )
                    .entity(entity),
                );
                return None;
            }
        }
        if n == 0 {
            return None;
        }
        let lo = earliest.map_or(0, |(e, _)| e).max(0);
        let hi = latest.map_or(n - 1, |(l, _)| l).min(n - 1);
        if lo > hi {
            let at = earliest.or(latest).map_or(expansion.at, |(_, at)| at);
            let (first, last) = (self.label_at(0), self.label_at(n - 1));
            self.push(
                Problem::warning(
                    Code::WindowOutside,
                    at,
                    format!(
                        "the decision window lies wholly outside the horizon ({first}..{last}): this expansion can never be decided"
                    ),
                )
                .entity(entity),
            );
            return None;
        }
        Some((lo as usize, hi as usize))
    }

    /// The time window of a policy or route (`docs/windows.md`): inclusive
    /// labels `first` / `last` (either may be absent: the start, the last
    /// period), clipped to the horizon; `None` when neither is written (the
    /// whole horizon). `first` after `last` is an error; a window wholly
    /// outside the horizon is a warning and binds in no period.
    fn time_window(
        &mut self,
        first: (&Field<String>, &str),
        last: (&Field<String>, &str),
        entity: &str,
    ) -> Option<Window> {
        if first.0.sp().is_none() && last.0.sp().is_none() {
            return None;
        }
        let n = self.periods as i64;
        let mut bad = false;
        let mut bound = |this: &mut Self, (field, name): (&Field<String>, &str)| match field.sp() {
            Some(label) => match this.offset(label, name, entity) {
                Some(offset) => Some((offset, label.at)),
                None => {
                    bad = true;
                    None
                }
            },
            None => None,
        };
        let lo = bound(self, first);
        let hi = bound(self, last);
        if bad || n == 0 {
            return None;
        }
        if let (Some((l, at)), Some((h, _))) = (lo, hi) {
            if l > h {
                let (l_label, h_label) = (self.label_at(l), self.label_at(h));
                self.push(
                    Problem::error(
                        Code::WindowOrder,
                        at,
                        format!("`{}` ({l_label}) is after `{}` ({h_label})", first.1, last.1),
                    )
                    .entity(entity)
                    .hint("the window holds the periods from its first label to its last, both included"),
                );
                return None;
            }
        }
        let start = lo.map_or(0, |(l, _)| l).max(0);
        let end = hi.map_or(n, |(h, _)| h + 1).min(n);
        if start >= end {
            // One of the two labels is written, or the window would be None.
            let (_, at) = lo.or(hi)?;
            let (first_label, last_label) = (self.label_at(0), self.label_at(n - 1));
            self.push(
                Problem::warning(
                    Code::WindowOutside,
                    at,
                    format!(
                        "the window lies wholly outside the horizon ({first_label}..{last_label}): it binds in no period"
                    ),
                )
                .entity(entity),
            );
            // One representation of "no period" (the writer relies on it).
            let edge = n as usize;
            return Some(Window {
                start: edge,
                end: edge,
            });
        }
        Some(Window {
            start: start as usize,
            end: end as usize,
        })
    }

    fn routes(&mut self, raw: &RawScenario) -> Vec<Route> {
        let mut seen: HashMap<(usize, usize), Loc> = HashMap::new();
        let mut routes = Vec::new();
        for route in &raw.routes {
            self.check_required(route, route.at, &route.entity);
            let entity = &route.entity;
            let from = self.reference(Kind::Actor, &route.from, "from", entity);
            let to = self.reference(Kind::Actor, &route.to, "to", entity);
            if let (Some(f), Some(t)) = (from, to) {
                if let Some(&first) = seen.get(&(f, t)) {
                    self.push(
                        Problem::error(
                            Code::DuplicateRoute,
                            route.at,
                            format!(
                                "duplicate route from \"{}\" to \"{}\"",
                                self.actor_ids[f], self.actor_ids[t]
                            ),
                        )
                        .entity(entity)
                        .hint("at most one route per (from, to)")
                        .related("the first is at", first),
                    );
                } else {
                    seen.insert((f, t), route.at);
                }
            }
            routes.push(Route {
                from: ActorId::new(from.unwrap_or(0)),
                to: ActorId::new(to.unwrap_or(0)),
                lead_time: route.lead_time.get().copied().unwrap_or(0),
                unit_cost: route.unit_cost.get().copied().unwrap_or(0.0),
                window: self.time_window((&route.since, "since"), (&route.until, "until"), entity),
            });
        }
        routes
    }

    fn demands(&mut self, raw: &RawScenario) -> Vec<Demand> {
        let mut seen = HashMap::new();
        let mut demands = Vec::new();
        for demand in &raw.demands {
            self.check_required(demand, demand.at, &demand.entity);
            let entity = &demand.entity;
            let id = demand.id.sp().cloned();
            if let Some(id) = &id {
                self.unique(&mut seen, id, "demand", entity);
            }
            let buyer = self.reference(Kind::Actor, &demand.buyer, "buyer", entity);
            let end_user = match demand.end_user.sp() {
                Some(sp) => self.resolve(Kind::Actor, "end_user", sp, entity),
                None => buyer,
            };
            let product = self.reference(Kind::Product, &demand.product, "product", entity);
            let quantity = self.schedule(&demand.quantity, "quantity", entity);
            let penalty = demand.penalty.sp().map(|s| s.value);
            demands.push(Demand {
                id: id.map(|s| s.value).unwrap_or_default(),
                buyer: ActorId::new(buyer.unwrap_or(0)),
                end_user: ActorId::new(end_user.unwrap_or(0)),
                product: ProductId::new(product.unwrap_or(0)),
                quantity,
                penalty: penalty.unwrap_or(1.0),
                backlog: demand.backlog.get().copied().unwrap_or(true),
            });
        }
        demands
    }

    fn contracts(&mut self, raw: &RawScenario, demands: &[Demand]) -> Vec<Contract> {
        let mut seen = HashMap::new();
        let mut keys: HashMap<(usize, usize, usize), Loc> = HashMap::new();
        let demanded: HashSet<(ActorId, ProductId)> =
            demands.iter().map(|d| (d.buyer, d.product)).collect();
        let mut contracts = Vec::new();
        for contract in &raw.contracts {
            self.check_required(contract, contract.at, &contract.entity);
            let entity = &contract.entity;
            let id = contract.id.sp().cloned();
            if let Some(id) = &id {
                self.unique(&mut seen, id, "contract", entity);
            }
            let facility = self.reference(Kind::Facility, &contract.facility, "facility", entity);
            let buyer = self.reference(Kind::Actor, &contract.buyer, "buyer", entity);
            let product = self.reference(Kind::Product, &contract.product, "product", entity);
            let quantity = self.schedule(&contract.quantity, "quantity", entity);
            let penalty = contract.penalty.sp().map(|s| s.value);
            if let (Some(f), Some(b), Some(p)) = (facility, buyer, product) {
                if let Some(&first) = keys.get(&(f, b, p)) {
                    self.push(
                        Problem::error(
                            Code::DuplicateContract,
                            contract.at,
                            format!(
                                "a second contract of facility \"{}\" with buyer \"{}\" for product \"{}\"",
                                self.facility_ids[f], self.actor_ids[b], self.product_ids[p]
                            ),
                        )
                        .entity(entity)
                        .hint("at most one contract per (facility, buyer, product): merge their quantities")
                        .related("the first is at", first),
                    );
                } else {
                    keys.insert((f, b, p), contract.at);
                }
                if !demanded.contains(&(ActorId::new(b), ProductId::new(p))) {
                    self.push(
                        Problem::warning(
                            Code::ContractWithoutDemand,
                            contract.at,
                            format!(
                                "buyer \"{}\" has no demand for product \"{}\": nothing can be shipped under this contract",
                                self.actor_ids[b], self.product_ids[p]
                            ),
                        )
                        .entity(entity)
                        .hint("add a [[demand]] of this buyer for this product, or check the contract's buyer and product"),
                    );
                }
            }
            contracts.push(Contract {
                id: id.map(|s| s.value).unwrap_or_default(),
                facility: FacilityId::new(facility.unwrap_or(0)),
                buyer: ActorId::new(buyer.unwrap_or(0)),
                product: ProductId::new(product.unwrap_or(0)),
                quantity,
                penalty: penalty.unwrap_or(0.0),
                price: contract.price.get().copied().unwrap_or(0.0),
            });
        }
        contracts
    }

    fn policies(&mut self, raw: &RawScenario) -> Vec<Policy> {
        let mut seen = HashMap::new();
        let mut policies = Vec::new();
        for policy in &raw.policies {
            self.check_required(policy, policy.at, &policy.entity);
            let entity = &policy.entity;
            let id = policy.id.sp().cloned();
            if let Some(id) = &id {
                self.unique(&mut seen, id, "policy", entity);
            }
            let scope = policy
                .scope
                .sp()
                .cloned()
                .and_then(|scope| self.scope(&scope, entity));
            let id = id.map(|s| s.value).unwrap_or_default();
            policies.push(Policy {
                name: policy.name.get().cloned().unwrap_or_else(|| id.clone()),
                id,
                scope: scope.unwrap_or(Party::Actor(ActorId::new(0))),
                deny_export: self.selectors(&policy.deny_export, "deny_export", entity),
                deny_import: self.selectors(&policy.deny_import, "deny_import", entity),
                deny_end_use: self.selectors(&policy.deny_end_use, "deny_end_use", entity),
                window: self.time_window((&policy.from, "from"), (&policy.until, "until"), entity),
            });
        }
        policies
    }

    fn parties(&self) -> Vec<&str> {
        self.actor_ids
            .iter()
            .chain(self.blocs.keys())
            .map(String::as_str)
            .filter(|id| !id.is_empty())
            .collect()
    }

    fn scope(&mut self, scope: &Sp<String>, entity: &str) -> Option<Party> {
        if let Some(&a) = self.actors.get(&scope.value) {
            return Some(Party::Actor(ActorId::new(a)));
        }
        if let Some(&b) = self.blocs.get(&scope.value) {
            return Some(Party::Bloc(BlocId::new(b)));
        }
        if scope.value == "belligerent" || scope.value == "*" {
            self.push(
                Problem::error(
                    Code::InvalidScope,
                    scope.at,
                    format!("a policy scope cannot be \"{}\"", scope.value),
                )
                .entity(entity)
                .hint("a scope names one actor or one bloc; list the actors in a bloc to bind them all"),
            );
            return None;
        }
        let hint = suggest(&scope.value, "actors and blocs", self.parties());
        self.push(
            Problem::error(
                Code::UnknownScope,
                scope.at,
                format!("scope \"{}\" names no actor or bloc", scope.value),
            )
            .entity(entity)
            .maybe_hint(hint),
        );
        None
    }

    fn selectors(
        &mut self,
        field: &Field<Vec<Sp<String>>>,
        name: &str,
        entity: &str,
    ) -> Vec<Selector> {
        let mut selectors = Vec::new();
        for sp in field.get().map_or(&[][..], |v| v.as_slice()) {
            let selector = match sp.value.as_str() {
                "belligerent" => Selector::Belligerent,
                "*" => Selector::All,
                other => {
                    if let Some(&a) = self.actors.get(other) {
                        Selector::Actor(ActorId::new(a))
                    } else if let Some(&b) = self.blocs.get(other) {
                        Selector::Bloc(BlocId::new(b))
                    } else {
                        let hint = suggest(other, "actors and blocs", self.parties()).map(|h| {
                            format!(
                                "{h} (selectors are actor ids, bloc ids, \"belligerent\" or \"*\")"
                            )
                        });
                        self.push(
                            Problem::error(
                                Code::UnknownSelector,
                                sp.at,
                                format!("`{name}`: \"{other}\" names no actor or bloc"),
                            )
                            .entity(entity)
                            .maybe_hint(hint),
                        );
                        continue;
                    }
                }
            };
            selectors.push(selector);
        }
        selectors
    }
}
