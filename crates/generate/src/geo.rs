//! States, blocs, policies and routes: the geopolitics of a scenario.
//!
//! Two belligerents (a defender and an aggressor, with the aggressor's
//! pact), an alliance (part of it also a union) that sanctions the pact,
//! neutral states that export nothing to belligerents, and a few stricter
//! national rules, so that every kind of selector and rule denies
//! something.

use caisson_compliance::{end_use, leg, Rule};
use caisson_model::{Actor, ActorId, Bloc, BlocId, Party, Policy, Route, Scenario, Selector};

use crate::names;
use crate::rng::{round, Rng};

/// The part a state plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Party to the war, supplied by the alliance.
    Defender,
    /// Party to the war, sanctioned by the alliance.
    Aggressor,
    /// Member of the aggressor's pact.
    Pact,
    /// Exports nothing to belligerents.
    Neutral,
    /// Member of the alliance (and maybe of the union).
    Alliance,
}

/// The generated states with everything compliance needs.
pub(crate) struct Geo {
    /// Role of each actor.
    pub roles: Vec<Role>,
    /// Actors, blocs and policies only: enough for compliance verdicts.
    skeleton: Scenario,
    routes: Vec<Route>,
    /// Whether the leg a -> b is allowed, per (a, b); true when a == b.
    leg_ok: Vec<bool>,
    /// Whether a's end-use controls allow b, per (a, b).
    end_use_ok: Vec<bool>,
}

impl Geo {
    pub(crate) fn actors(&self) -> usize {
        self.roles.len()
    }

    /// Actors of a role, in actor order.
    pub(crate) fn with_role(&self, role: Role) -> Vec<ActorId> {
        (0..self.actors())
            .filter(|&a| self.roles[a] == role)
            .map(ActorId::new)
            .collect()
    }

    /// The actor playing `role` first (defender and aggressor are unique).
    pub(crate) fn first(&self, role: Role) -> ActorId {
        self.with_role(role)
            .first()
            .copied()
            .unwrap_or(ActorId::new(0))
    }

    /// Whether a shipment from `exporter` to `buyer` for `end_user` is
    /// allowed (spec section 3).
    pub(crate) fn shipment_ok(&self, exporter: ActorId, buyer: ActorId, end_user: ActorId) -> bool {
        let n = self.actors();
        self.leg_ok[exporter.index() * n + buyer.index()]
            && self.leg_ok[buyer.index() * n + end_user.index()]
            && (exporter == end_user || self.end_use_ok[exporter.index() * n + end_user.index()])
    }

    /// Whether a transfer from `from`'s facility to `to`'s is allowed.
    pub(crate) fn transfer_ok(&self, from: ActorId, to: ActorId) -> bool {
        self.leg_ok[from.index() * self.actors() + to.index()]
    }

    /// Moves actors, blocs, policies and routes into `scenario`.
    pub(crate) fn install(self, scenario: &mut Scenario) {
        scenario.actors = self.skeleton.actors;
        scenario.blocs = self.skeleton.blocs;
        scenario.policies = self.skeleton.policies;
        scenario.routes = self.routes;
    }
}

/// Generates `n` (>= 5) states with their blocs, policies and routes.
pub(crate) fn generate(rng: &mut Rng, n: usize) -> Geo {
    let roles = roles(rng, n);
    let mut skeleton = Scenario {
        name: String::new(),
        description: None,
        calendar: caisson_model::Calendar::new(caisson_model::PeriodKind::Month, 2026, 0, 1),
        currency: String::new(),
        default_lead_time: 0,
        default_unit_cost: 0.0,
        actors: Vec::new(),
        blocs: Vec::new(),
        products: Vec::new(),
        facilities: Vec::new(),
        lines: Vec::new(),
        expansions: Vec::new(),
        routes: Vec::new(),
        demands: Vec::new(),
        contracts: Vec::new(),
        policies: Vec::new(),
        uncertainty: Vec::new(),
        assumptions: Vec::new(),
    };
    let alliance: Vec<usize> = (0..n).filter(|&a| roles[a] == Role::Alliance).collect();
    // The first 60% of the alliance (in actor order) is also the union.
    let union_size = (alliance.len() * 3).div_ceil(5);
    let neutrals: Vec<usize> = (0..n).filter(|&a| roles[a] == Role::Neutral).collect();
    // From 16 states on, a second conflict: one neutral is at war too.
    let civil_war = if n >= 16 {
        neutrals.last().copied()
    } else {
        None
    };
    for (a, &role) in roles.iter().enumerate() {
        let (id, name) = names::state(a);
        let bloc_names: &[&str] = match role {
            Role::Alliance if alliance[..union_size].contains(&a) => &["alliance", "union"],
            Role::Alliance => &["alliance"],
            Role::Aggressor | Role::Pact => &["pact"],
            Role::Defender | Role::Neutral => &[],
        };
        let blocs = bloc_names
            .iter()
            .map(|&b| bloc(&mut skeleton.blocs, b, ActorId::new(a)))
            .collect();
        skeleton.actors.push(Actor {
            id,
            name,
            blocs,
            belligerent: matches!(role, Role::Defender | Role::Aggressor) || civil_war == Some(a),
        });
    }
    let geo_policies = policies(&skeleton, &roles, &alliance[union_size..]);
    skeleton.policies = geo_policies;

    let leg_table = |check: &dyn Fn(ActorId, ActorId) -> bool| -> Vec<bool> {
        (0..n * n)
            .map(|i| {
                let (a, b) = (ActorId::new(i / n), ActorId::new(i % n));
                a == b || check(a, b)
            })
            .collect()
    };
    let leg_ok = leg_table(&|a, b| leg(&skeleton, a, b, Rule::Transfer).is_allowed());
    let end_use_ok = leg_table(&|a, b| end_use(&skeleton, a, b).is_allowed());
    let routes = routes(rng, n);
    Geo {
        roles,
        skeleton,
        routes,
        leg_ok,
        end_use_ok,
    }
}

/// Defender and aggressor, about a tenth pact, a fifth neutral, the rest
/// alliance (at least two), in a shuffled order.
fn roles(rng: &mut Rng, n: usize) -> Vec<Role> {
    let pact = n / 10;
    let neutral = (n / 5).max(1);
    let mut roles = vec![Role::Defender, Role::Aggressor];
    roles.extend(std::iter::repeat_n(Role::Pact, pact));
    roles.extend(std::iter::repeat_n(Role::Neutral, neutral));
    roles.resize(n.max(roles.len() + 2), Role::Alliance);
    rng.shuffle(&mut roles);
    roles
}

/// The bloc `id`, created on first mention (blocs are ordered by first
/// mention), with `member` added.
fn bloc(blocs: &mut Vec<Bloc>, id: &str, member: ActorId) -> BlocId {
    let b = match blocs.iter().position(|b| b.id == id) {
        Some(b) => b,
        None => {
            blocs.push(Bloc {
                id: id.to_owned(),
                members: Vec::new(),
            });
            blocs.len() - 1
        }
    };
    blocs[b].members.push(member);
    BlocId::new(b)
}

fn policies(s: &Scenario, roles: &[Role], outside_union: &[usize]) -> Vec<Policy> {
    let bloc = |id: &str| s.blocs.iter().position(|b| b.id == id).map(BlocId::new);
    let actor = |role: Role| roles.iter().position(|&r| r == role).map(ActorId::new);
    let id = |a: ActorId| s.actors[a.index()].id.clone();
    let policy = |id: String, name: String, scope: Party| Policy {
        id,
        name,
        scope,
        deny_export: Vec::new(),
        deny_import: Vec::new(),
        deny_end_use: Vec::new(),
        window: None,
    };
    let mut out = Vec::new();
    let (Some(alliance), Some(pact), Some(aggressor)) =
        (bloc("alliance"), bloc("pact"), actor(Role::Aggressor))
    else {
        return out;
    };
    let mut sanctions = policy(
        "alliance-sanctions".into(),
        "Alliance sanctions on the aggressor and its pact".into(),
        Party::Bloc(alliance),
    );
    sanctions.deny_export = vec![Selector::Actor(aggressor), Selector::Bloc(pact)];
    sanctions.deny_import = vec![Selector::Bloc(pact)];
    sanctions.deny_end_use = vec![Selector::Actor(aggressor)];
    out.push(sanctions);

    let mut counter = policy(
        "pact-countermeasures".into(),
        "Pact ban on exports to the alliance".into(),
        Party::Bloc(pact),
    );
    counter.deny_export = vec![Selector::Bloc(alliance)];
    out.push(counter);

    let neutrals: Vec<ActorId> = (0..roles.len())
        .filter(|&a| roles[a] == Role::Neutral)
        .map(ActorId::new)
        .collect();
    for &n in &neutrals {
        let mut p = policy(
            format!("{}-neutrality", id(n).to_lowercase()),
            format!(
                "{}: no exports to parties of a war",
                s.actors[n.index()].name
            ),
            Party::Actor(n),
        );
        p.deny_export = vec![Selector::Belligerent];
        out.push(p);
    }
    if let Some(union) = bloc("union") {
        let mut p = policy(
            "union-end-use".into(),
            "Union end-use controls: nothing for the pact".into(),
            Party::Bloc(union),
        );
        p.deny_end_use = vec![Selector::Bloc(pact)];
        out.push(p);
    }
    // A strict exporter outside the union: its goods may not reach any
    // belligerent, even re-transferred by an ally.
    if let Some(&strict) = outside_union.first() {
        let strict = ActorId::new(strict);
        let mut p = policy(
            format!("{}-re-export", id(strict).to_lowercase()),
            format!(
                "{}: no re-export to belligerents",
                s.actors[strict.index()].name
            ),
            Party::Actor(strict),
        );
        p.deny_end_use = vec![Selector::Belligerent];
        out.push(p);
    }
    // A closed market: imports nothing from anyone (the `*` selector).
    if roles.len() >= 10 && neutrals.len() >= 2 {
        let closed = neutrals[0];
        let mut p = policy(
            format!("{}-closed-market", id(closed).to_lowercase()),
            format!("{}: no imports", s.actors[closed.index()].name),
            Party::Actor(closed),
        );
        p.deny_import = vec![Selector::All];
        out.push(p);
    }
    out
}

/// About six outgoing routes per state with lead times of 0 to 3 periods,
/// and cheap domestic haulage in a third of the states.
fn routes(rng: &mut Rng, n: usize) -> Vec<Route> {
    let p = (6.0 / n as f64).min(1.0);
    let mut routes = Vec::new();
    for a in 0..n {
        for b in 0..n {
            let (from, to) = (ActorId::new(a), ActorId::new(b));
            if a == b {
                if rng.chance(0.33) {
                    routes.push(Route {
                        from,
                        to,
                        lead_time: 0,
                        unit_cost: round(rng.range(1.0, 5.0), 1),
                        window: None,
                    });
                }
            } else if rng.chance(p) {
                routes.push(Route {
                    from,
                    to,
                    lead_time: rng.between(0, 3) as u32,
                    unit_cost: round(rng.range(5.0, 80.0), 0),
                    window: None,
                });
            }
        }
    }
    routes
}
