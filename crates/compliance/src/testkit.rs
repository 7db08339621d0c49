//! A compact builder of scenarios for unit tests, so that each test states
//! only the actors, policies and flows it is about.

use caisson_model::{
    Actor, ActorId, Bloc, BlocId, Calendar, Demand, DemandId, Facility, FacilityId, Line, LineId,
    LineProduct, Party, PeriodKind, Policy, Product, ProductId, Scenario, Selector,
};

/// Builds a [`Scenario`] entity by entity; ids refer to earlier entities.
pub(crate) struct Kit {
    s: Scenario,
}

impl Kit {
    pub(crate) fn new() -> Self {
        Self {
            s: Scenario {
                name: "test".into(),
                description: None,
                calendar: Calendar::new(PeriodKind::Month, 2025, 0, 3),
                currency: "EUR".into(),
                default_lead_time: 0,
                default_unit_cost: 0.0,
                actors: vec![],
                blocs: vec![],
                products: vec![],
                facilities: vec![],
                lines: vec![],
                expansions: vec![],
                routes: vec![],
                demands: vec![],
                contracts: vec![],
                policies: vec![],
                uncertainty: Vec::new(),
                assumptions: Vec::new(),
            },
        }
    }

    /// An actor with its blocs (created on first mention).
    pub(crate) fn actor(mut self, id: &str, blocs: &[&str], belligerent: bool) -> Self {
        let actor = ActorId::new(self.s.actors.len());
        let mut ids = Vec::new();
        for &bloc in blocs {
            let b = match self.s.blocs.iter().position(|b| b.id == bloc) {
                Some(b) => b,
                None => {
                    self.s.blocs.push(Bloc {
                        id: bloc.into(),
                        members: vec![],
                    });
                    self.s.blocs.len() - 1
                }
            };
            self.s.blocs[b].members.push(actor);
            ids.push(BlocId::new(b));
        }
        self.s.actors.push(Actor {
            id: id.into(),
            name: id.into(),
            blocs: ids,
            belligerent,
        });
        self
    }

    /// A product made from `inputs` (one unit of each).
    pub(crate) fn product(mut self, id: &str, inputs: &[&str]) -> Self {
        let inputs = inputs.iter().map(|i| (self.product_id(i), 1.0)).collect();
        self.s.products.push(Product {
            id: id.into(),
            name: id.into(),
            unit: "unit".into(),
            inputs,
            att_category: None,
        });
        self
    }

    /// A facility of `actor` with one line making `makes` (no line if
    /// empty) and zero initial stock of `stock`.
    pub(crate) fn facility(
        mut self,
        id: &str,
        actor: &str,
        makes: &[&str],
        stock: &[&str],
    ) -> Self {
        let f = FacilityId::new(self.s.facilities.len());
        let mut lines = Vec::new();
        if !makes.is_empty() {
            let products = makes
                .iter()
                .map(|p| LineProduct {
                    product: self.product_id(p),
                    rate: 1.0,
                    cost: 0.0,
                })
                .collect();
            lines.push(LineId::new(self.s.lines.len()));
            self.s.lines.push(Line {
                id: "line".into(),
                facility: f,
                capacity: vec![10.0; self.s.calendar.periods],
                products,
            });
        }
        let actor = self.actor_id(actor);
        let stock = stock.iter().map(|p| (self.product_id(p), 0.0)).collect();
        self.s.facilities.push(Facility {
            id: id.into(),
            name: id.into(),
            actor,
            holding_cost: 0.0,
            stock,
            lines,
            expansions: vec![],
        });
        self
    }

    /// A backlog demand of `buyer` for `end_user`.
    pub(crate) fn demand(mut self, id: &str, buyer: &str, end_user: &str, product: &str) -> Self {
        let demand = Demand {
            id: id.into(),
            buyer: self.actor_id(buyer),
            end_user: self.actor_id(end_user),
            product: self.product_id(product),
            quantity: vec![1.0; self.s.calendar.periods],
            penalty: 1.0,
            backlog: true,
        };
        self.s.demands.push(demand);
        self
    }

    /// A policy with its three lists of selector texts.
    pub(crate) fn policy(
        mut self,
        id: &str,
        scope: &str,
        export: &[&str],
        import: &[&str],
        end_use: &[&str],
    ) -> Self {
        let scope = match self.s.actor_id(scope) {
            Some(a) => Party::Actor(a),
            None => Party::Bloc(self.bloc_id(scope)),
        };
        let policy = Policy {
            id: id.into(),
            name: id.into(),
            scope,
            deny_export: export.iter().map(|s| self.selector(s)).collect(),
            deny_import: import.iter().map(|s| self.selector(s)).collect(),
            deny_end_use: end_use.iter().map(|s| self.selector(s)).collect(),
            window: None,
        };
        self.s.policies.push(policy);
        self
    }

    pub(crate) fn build(self) -> Scenario {
        self.s
    }

    fn selector(&self, text: &str) -> Selector {
        match text {
            "belligerent" => Selector::Belligerent,
            "*" => Selector::All,
            _ => match self.s.actor_id(text) {
                Some(a) => Selector::Actor(a),
                None => Selector::Bloc(self.bloc_id(text)),
            },
        }
    }

    fn actor_id(&self, id: &str) -> ActorId {
        self.s
            .actor_id(id)
            .unwrap_or_else(|| panic!("no actor {id}"))
    }

    fn bloc_id(&self, id: &str) -> BlocId {
        let b = self.s.blocs.iter().position(|b| b.id == id);
        BlocId::new(b.unwrap_or_else(|| panic!("no actor or bloc {id}")))
    }

    fn product_id(&self, id: &str) -> ProductId {
        self.s
            .product_id(id)
            .unwrap_or_else(|| panic!("no product {id}"))
    }
}

/// Looks up a facility by id in a test scenario.
pub(crate) fn fac(s: &Scenario, id: &str) -> FacilityId {
    s.facility_id(id)
        .unwrap_or_else(|| panic!("no facility {id}"))
}

/// Looks up a demand by id in a test scenario.
pub(crate) fn dem(s: &Scenario, id: &str) -> DemandId {
    s.demand_id(id).unwrap_or_else(|| panic!("no demand {id}"))
}

/// Looks up an actor by id in a test scenario.
pub(crate) fn act(s: &Scenario, id: &str) -> ActorId {
    s.actor_id(id).unwrap_or_else(|| panic!("no actor {id}"))
}

/// The example of the spec (docs/spec/example.toml), compliance-relevant
/// parts only.
pub(crate) fn example() -> Scenario {
    Kit::new()
        .actor("DEU", &["EU", "NATO"], false)
        .actor("CZE", &["EU", "NATO"], false)
        .actor("SRB", &[], false)
        .actor("UKR", &[], true)
        .actor("RUS", &[], true)
        .product("tnt", &[])
        .product("shell-155", &["tnt"])
        .product("mortar-120", &["tnt"])
        .facility("deu-plant", "DEU", &["shell-155"], &[])
        .facility("deu-depot", "DEU", &[], &["shell-155"])
        .facility("cze-tnt", "CZE", &["tnt"], &[])
        .facility(
            "srb-plant",
            "SRB",
            &["mortar-120", "shell-155", "tnt"],
            &["mortar-120", "tnt"],
        )
        .demand("ukr-155", "CZE", "UKR", "shell-155")
        .demand("ukr-mortar", "CZE", "UKR", "mortar-120")
        .demand("ukr-direct", "UKR", "UKR", "mortar-120")
        .demand("deu-stockpile", "DEU", "DEU", "shell-155")
        .policy("srb-neutrality", "SRB", &["belligerent"], &[], &[])
        .policy("eu-sanctions", "EU", &["RUS"], &["RUS"], &["RUS"])
        .build()
}
