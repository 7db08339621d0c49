//! The validated, in-memory planning model of Caisson.
//!
//! This crate is the core every other crate builds on. It holds a scenario
//! *after* loading and validation (see `caisson-scenario`): identifiers are
//! resolved to typed indices, schedules are expanded to one value per period,
//! defaults are filled in and expansion windows are clipped to the horizon.
//! Nothing here parses files, talks to a solver, or knows about terminals;
//! consumers may assume every invariant documented on the types below.
//!
//! ```
//! use caisson_model::{Calendar, PeriodKind};
//! let calendar = Calendar::new(PeriodKind::Quarter, 2025, 1, 8);
//! assert_eq!(calendar.label(0), "2025-Q2");
//! assert_eq!(calendar.label(3), "2026-Q1");
//! assert_eq!(calendar.parse_label("2026-Q1"), Ok(3));
//! ```

mod assumption;
mod calendar;
mod derived;
mod ids;
mod uncertainty;

pub use assumption::{Assumption, AssumptionTarget, Bound};
pub use calendar::{Calendar, LabelError, PeriodKind};
pub use derived::Held;
pub use ids::{
    ActorId, BlocId, ContractId, DemandId, ExpansionId, FacilityId, LineId, PolicyId, ProductId,
};
pub use uncertainty::{
    Distribution, PeriodRange, PoliticalEffect, SwitchTiming, Targets, Uncertainty, UncertaintyKind,
};

/// A whole, validated scenario (spec section 2), ready for planning.
///
/// Invariants (established by the loader, relied upon everywhere):
/// - every id-typed field indexes into the matching vector of this struct;
/// - every per-period vector (`capacity`, `quantity`) has exactly
///   `calendar.periods` entries, all finite and >= 0;
/// - entity ids are unique within their kind; the product input graph is acyclic;
/// - `blocs[b].members` lists exactly the actors whose `blocs` contain `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Human-readable scenario name.
    pub name: String,
    /// Optional free-text description.
    pub description: Option<String>,
    /// Period kind, first period and horizon length.
    pub calendar: Calendar,
    /// Currency of every cost (reporting only).
    pub currency: String,
    /// Lead time (periods) between two different actors with no route.
    pub default_lead_time: u32,
    /// Unit transport cost between two different actors with no route.
    pub default_unit_cost: f64,
    /// States and organisations, in file order.
    pub actors: Vec<Actor>,
    /// Blocs, in order of first mention in the actors' `blocs` lists.
    pub blocs: Vec<Bloc>,
    /// Products, in file order.
    pub products: Vec<Product>,
    /// Plants and depots, in file order.
    pub facilities: Vec<Facility>,
    /// Production lines of all facilities, grouped by facility in file order.
    pub lines: Vec<Line>,
    /// Ramp-up options of all facilities, grouped by facility in file order.
    pub expansions: Vec<Expansion>,
    /// Explicit routes, in file order; see [`Scenario::route`] for defaults.
    pub routes: Vec<Route>,
    /// Demands, in file order.
    pub demands: Vec<Demand>,
    /// Long-term contracts, in file order.
    pub contracts: Vec<Contract>,
    /// Export, import and end-use policies, in file order (order decides
    /// which policy a denial names).
    pub policies: Vec<Policy>,
    /// Sources of uncertainty for `caisson simulate`, in file order. An
    /// extension of the spec (`docs/uncertainty.md`): planning ignores them.
    pub uncertainty: Vec<Uncertainty>,
    /// Ranges of assumed figures for `caisson sensitivity`, in file order.
    /// An extension of the spec (`docs/assumptions.md`): planning ignores them.
    pub assumptions: Vec<Assumption>,
}

/// A state or organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Unique id.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
    /// Blocs this actor is a member of, in the order written.
    pub blocs: Vec<BlocId>,
    /// Party to an armed conflict.
    pub belligerent: bool,
}

/// A bloc: any id listed in some actor's `blocs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bloc {
    /// The bloc id (never equal to an actor id).
    pub id: String,
    /// Member actors, in actor order.
    pub members: Vec<ActorId>,
}

/// A product, possibly assembled from input products (a bill of materials).
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Unique id.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
    /// Unit of measure (default `"unit"`).
    pub unit: String,
    /// Components consumed per unit made, in the order written; quantities > 0.
    pub inputs: Vec<(ProductId, f64)>,
    /// The Arms Trade Treaty reporting category of the product (platform
    /// spec section 5's extension of the model), for the ledger's ATT
    /// reports; the planner never reads it.
    pub att_category: Option<String>,
}

/// A plant or depot in an actor's territory.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// Unique id.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
    /// Whose territory and law apply.
    pub actor: ActorId,
    /// Cost per unit of any product held per period (>= 0).
    pub holding_cost: f64,
    /// Initial stock per product, in the order written (quantities >= 0; a
    /// product listed at 0 is still held here).
    pub stock: Vec<(ProductId, f64)>,
    /// This facility's lines, in file order.
    pub lines: Vec<LineId>,
    /// This facility's expansion options, in file order.
    pub expansions: Vec<ExpansionId>,
}

/// A production line of a facility.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Id, unique within its facility.
    pub id: String,
    /// The facility this line belongs to.
    pub facility: FacilityId,
    /// Capacity units available per period (one entry per period).
    pub capacity: Vec<f64>,
    /// Products this line can make, in the order written.
    pub products: Vec<LineProduct>,
}

/// One product a line can make.
#[derive(Debug, Clone, PartialEq)]
pub struct LineProduct {
    /// The product.
    pub product: ProductId,
    /// Capacity units used per unit made (> 0).
    pub rate: f64,
    /// Cost per unit made (>= 0).
    pub cost: f64,
}

/// A capacity ramp-up option.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    /// Unique id across all facilities.
    pub id: String,
    /// The facility of the expanded line.
    pub facility: FacilityId,
    /// The expanded line.
    pub line: LineId,
    /// Capacity units added per period once available (>= 0).
    pub capacity: f64,
    /// Periods from decision to first use.
    pub lead_time: u32,
    /// One-off cost of deciding it (>= 0).
    pub capex: f64,
    /// Inclusive range of periods in which it may be decided, clipped to the
    /// horizon; `None` when the declared window lies wholly outside it.
    pub window: Option<(usize, usize)>,
    /// Taken whole or not at all (`true`), or any fraction in [0, 1].
    pub integer: bool,
}

/// A one-way transport link between two actors' territories.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Origin actor.
    pub from: ActorId,
    /// Destination actor.
    pub to: ActorId,
    /// Periods in transit.
    pub lead_time: u32,
    /// Cost per unit shipped (>= 0).
    pub unit_cost: f64,
    /// The departure periods in which the route is open (`since` / `until`,
    /// an extension of the spec: `docs/windows.md`); `None`: the whole
    /// horizon. Outside its window the pair carries nothing.
    pub window: Option<Window>,
}

/// A time window of a policy or route (`docs/windows.md`): the periods
/// `start..end` (half-open) of the horizon, written in a file as inclusive
/// labels and clipped to the horizon when loaded. It may be empty (a window
/// wholly outside the horizon), so that it binds in no period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// First period inside the window.
    pub start: usize,
    /// First period after the window (`start <= end`).
    pub end: usize,
}

impl Window {
    /// The window of periods `first..=last`.
    pub fn inclusive(first: usize, last: usize) -> Self {
        Self {
            start: first,
            end: last.saturating_add(1).max(first),
        }
    }

    /// Whether period `t` lies inside the window.
    pub fn contains(&self, t: usize) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether the window holds no period.
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The window as period labels, the way outputs name it:
    /// `"2026-03..2026-06"`, `"2026-03"` for one period, `"no period"` when
    /// empty (a window wholly outside the horizon).
    pub fn describe(&self, calendar: &Calendar) -> String {
        if self.is_empty() {
            "no period".to_owned()
        } else if self.end - self.start == 1 {
            calendar.label(self.start)
        } else {
            format!(
                "{}..{}",
                calendar.label(self.start),
                calendar.label(self.end - 1)
            )
        }
    }
}

/// Whether `window` (`None`: the whole horizon) holds period `t`.
pub fn within(window: Option<Window>, t: usize) -> bool {
    window.is_none_or(|w| w.contains(t))
}

/// A requirement of a buyer, for an end user.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    /// Unique id.
    pub id: String,
    /// Actor who receives and pays.
    pub buyer: ActorId,
    /// Actor who finally uses it (defaults to the buyer).
    pub end_user: ActorId,
    /// What is required.
    pub product: ProductId,
    /// Units newly required per period (one entry per period).
    pub quantity: Vec<f64>,
    /// Cost per unit short per period (> 0).
    pub penalty: f64,
    /// Shortage stays owed (`true`) or is lost (`false`).
    pub backlog: bool,
}

/// A long-term procurement commitment of a supplier facility to a buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Unique id.
    pub id: String,
    /// The supplier.
    pub facility: FacilityId,
    /// The buying actor.
    pub buyer: ActorId,
    /// The product committed.
    pub product: ProductId,
    /// Units committed per period (one entry per period).
    pub quantity: Vec<f64>,
    /// Cost per unit of shortfall per period (>= 0).
    pub penalty: f64,
    /// Price per unit (reported, not optimised).
    pub price: f64,
}

/// An export, import and end-use control.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Unique id.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
    /// Who is bound by it.
    pub scope: Party,
    /// Receivers the bound actors may not export to.
    pub deny_export: Vec<Selector>,
    /// Senders the bound actors may not import from.
    pub deny_import: Vec<Selector>,
    /// End users the bound actors' exports may not reach.
    pub deny_end_use: Vec<Selector>,
    /// The periods in which it binds (`from` / `until`, an extension of the
    /// spec: `docs/windows.md`); `None`: the whole horizon. A shipment is
    /// judged in its departure period.
    pub window: Option<Window>,
}

/// An actor or a bloc: the scope of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// One actor.
    Actor(ActorId),
    /// Every member of a bloc.
    Bloc(BlocId),
}

/// A selector in a policy list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Selector {
    /// One actor.
    Actor(ActorId),
    /// Every member of a bloc.
    Bloc(BlocId),
    /// Every belligerent actor (`"belligerent"`).
    Belligerent,
    /// Every actor (`"*"`).
    All,
}

/// The three policy lists, named as in the scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyList {
    /// `deny_export`.
    DenyExport,
    /// `deny_import`.
    DenyImport,
    /// `deny_end_use`.
    DenyEndUse,
}

impl PolicyList {
    /// The list's field name in the scenario format.
    pub fn field_name(self) -> &'static str {
        match self {
            PolicyList::DenyExport => "deny_export",
            PolicyList::DenyImport => "deny_import",
            PolicyList::DenyEndUse => "deny_end_use",
        }
    }
}

impl Policy {
    /// Whether the policy binds in period `t`.
    pub fn binds_in(&self, t: usize) -> bool {
        within(self.window, t)
    }

    /// Whether the policy binds in some period of the horizon (a window
    /// wholly outside it binds nowhere).
    pub fn binds_somewhere(&self) -> bool {
        self.window.is_none_or(|w| !w.is_empty())
    }

    /// The selectors of one of this policy's lists.
    pub fn list(&self, list: PolicyList) -> &[Selector] {
        match list {
            PolicyList::DenyExport => &self.deny_export,
            PolicyList::DenyImport => &self.deny_import,
            PolicyList::DenyEndUse => &self.deny_end_use,
        }
    }
}

impl Scenario {
    /// Number of periods in the horizon.
    pub fn periods(&self) -> usize {
        self.calendar.periods
    }

    /// Whether `actor` is bound by `party` (is it, or is a member of it).
    pub fn is_in(&self, actor: ActorId, party: Party) -> bool {
        match party {
            Party::Actor(a) => a == actor,
            Party::Bloc(b) => self.actors[actor.index()].blocs.contains(&b),
        }
    }

    /// Whether `selector` selects `actor`.
    pub fn selects(&self, selector: Selector, actor: ActorId) -> bool {
        match selector {
            Selector::Actor(a) => a == actor,
            Selector::Bloc(b) => self.actors[actor.index()].blocs.contains(&b),
            Selector::Belligerent => self.actors[actor.index()].belligerent,
            Selector::All => true,
        }
    }

    /// Lead time and unit cost of moving goods from `from`'s territory to
    /// `to`'s: the explicit route if any, else 0 and 0 within one actor, else
    /// the scenario defaults (spec section 2, routes).
    pub fn route(&self, from: ActorId, to: ActorId) -> (u32, f64) {
        if let Some(route) = self.routes.iter().find(|r| r.from == from && r.to == to) {
            (route.lead_time, route.unit_cost)
        } else if from == to {
            (0, 0.0)
        } else {
            (self.default_lead_time, self.default_unit_cost)
        }
    }

    /// Whether goods may leave `from`'s territory for `to`'s in period `t`:
    /// always, unless an explicit route between them has a window that does
    /// not hold `t` (`docs/windows.md`: a route with a window exists only for
    /// departures inside it, and the pair carries nothing outside it).
    pub fn route_open(&self, from: ActorId, to: ActorId, t: usize) -> bool {
        self.routes
            .iter()
            .find(|r| r.from == from && r.to == to)
            .is_none_or(|r| within(r.window, t))
    }

    /// The window of the explicit route `from -> to`, if it has one.
    pub fn route_window(&self, from: ActorId, to: ActorId) -> Option<Window> {
        self.routes
            .iter()
            .find(|r| r.from == from && r.to == to)
            .and_then(|r| r.window)
    }

    /// Whether some policy or route has a time window: without one, every
    /// verdict and route is the same in every period.
    pub fn has_windows(&self) -> bool {
        self.policies.iter().any(|p| p.window.is_some())
            || self.routes.iter().any(|r| r.window.is_some())
    }

    /// Display text of a selector (`"belligerent"`, `"*"`, or the id).
    pub fn selector_text(&self, selector: Selector) -> &str {
        match selector {
            Selector::Actor(a) => &self.actors[a.index()].id,
            Selector::Bloc(b) => &self.blocs[b.index()].id,
            Selector::Belligerent => "belligerent",
            Selector::All => "*",
        }
    }

    /// Display text of a party (the actor or bloc id).
    pub fn party_text(&self, party: Party) -> &str {
        match party {
            Party::Actor(a) => &self.actors[a.index()].id,
            Party::Bloc(b) => &self.blocs[b.index()].id,
        }
    }

    /// Finds an actor by id.
    pub fn actor_id(&self, id: &str) -> Option<ActorId> {
        self.actors
            .iter()
            .position(|a| a.id == id)
            .map(ActorId::new)
    }

    /// Finds a product by id.
    pub fn product_id(&self, id: &str) -> Option<ProductId> {
        self.products
            .iter()
            .position(|p| p.id == id)
            .map(ProductId::new)
    }

    /// Finds a facility by id.
    pub fn facility_id(&self, id: &str) -> Option<FacilityId> {
        self.facilities
            .iter()
            .position(|f| f.id == id)
            .map(FacilityId::new)
    }

    /// Finds a demand by id.
    pub fn demand_id(&self, id: &str) -> Option<DemandId> {
        self.demands
            .iter()
            .position(|d| d.id == id)
            .map(DemandId::new)
    }

    /// Finds a policy by id.
    pub fn policy_id(&self, id: &str) -> Option<PolicyId> {
        self.policies
            .iter()
            .position(|p| p.id == id)
            .map(PolicyId::new)
    }
}
