//! Property tests: writing then loading gives back the same scenario, and
//! no input, however broken, makes the loader panic.

use caisson_model::{
    Actor, ActorId, Assumption, AssumptionTarget, Bloc, BlocId, Calendar, Contract, ContractId,
    Demand, DemandId, Distribution, Expansion, ExpansionId, Facility, FacilityId, Line, LineId,
    LineProduct, Party, PeriodKind, PeriodRange, Policy, Product, ProductId, Route, Scenario,
    Selector, Targets, Uncertainty, UncertaintyKind,
};
use caisson_scenario::{load_source, load_str, to_toml, Format};
use proptest::prelude::*;

/// A tiny deterministic generator: proptest supplies the seed (and the
/// names and numbers), this turns it into a structurally valid scenario.
struct Gen {
    state: u64,
    names: Vec<String>,
    numbers: Vec<f64>,
    next_name: usize,
    next_number: usize,
}

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let x = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        if n == 0 {
            0
        } else {
            (x % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn name(&mut self) -> String {
        self.next_name += 1;
        self.names[self.next_name % self.names.len()].clone()
    }

    /// A number >= 0 (or > 0 when `positive`).
    fn number(&mut self, positive: bool) -> f64 {
        self.next_number += 1;
        let v = self.numbers[self.next_number % self.numbers.len()];
        if positive && v == 0.0 {
            1.5
        } else {
            v
        }
    }

    /// Unique by construction: the index comes first, before an `_`.
    fn id(&mut self, prefix: &str, index: usize) -> String {
        const CHARS: &[u8] = b"abcXYZ019_.:-";
        let len = self.below(5);
        let tail: String = (0..len)
            .map(|_| CHARS[self.below(CHARS.len())] as char)
            .collect();
        format!("{prefix}{index}_{tail}")
    }

    fn schedule(&mut self, periods: usize) -> Vec<f64> {
        let mut values = Vec::with_capacity(periods);
        let mut current = self.number(false);
        for _ in 0..periods {
            if self.chance(30) {
                current = self.number(false);
            }
            values.push(current);
        }
        values
    }
}

fn scenario(seed: u64, names: Vec<String>, numbers: Vec<f64>) -> Scenario {
    let mut g = Gen {
        state: seed | 1,
        names,
        numbers,
        next_name: 0,
        next_number: 0,
    };
    let kind = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year][g.below(3)];
    let sub = g.below(kind.per_year() as usize) as i64;
    let periods = 1 + g.below(14);
    let calendar = Calendar::new(kind, 1990 + g.below(80) as i64, sub, periods);

    // Actors and blocs (blocs numbered by first mention, members in actor order).
    let n_actors = 1 + g.below(4);
    let bloc_names: Vec<String> = (0..g.below(3)).map(|i| g.id("b", i)).collect();
    let mut actors = Vec::new();
    let mut blocs: Vec<Bloc> = Vec::new();
    for a in 0..n_actors {
        let mut mine = Vec::new();
        for name in &bloc_names {
            if g.chance(50) {
                let b = match blocs.iter().position(|b| &b.id == name) {
                    Some(b) => b,
                    None => {
                        blocs.push(Bloc {
                            id: name.clone(),
                            members: Vec::new(),
                        });
                        blocs.len() - 1
                    }
                };
                blocs[b].members.push(ActorId::new(a));
                mine.push(BlocId::new(b));
            }
        }
        actors.push(Actor {
            id: g.id("a", a),
            name: g.name(),
            blocs: mine,
            belligerent: g.chance(30),
        });
    }

    // Products: inputs only from earlier products, so no cycle.
    let n_products = 1 + g.below(4);
    let mut products = Vec::new();
    for p in 0..n_products {
        let mut inputs = Vec::new();
        for q in 0..p {
            if g.chance(40) {
                inputs.push((ProductId::new(q), g.number(true)));
            }
        }
        products.push(Product {
            id: g.id("p", p),
            name: g.name(),
            unit: g.name(),
            inputs,
            att_category: None,
        });
    }

    let mut facilities = Vec::new();
    let mut lines = Vec::new();
    let mut expansions = Vec::new();
    for f in 0..g.below(4) {
        let mut stock = Vec::new();
        for p in 0..n_products {
            if g.chance(30) {
                stock.push((ProductId::new(p), g.number(false)));
            }
        }
        let mut line_ids = Vec::new();
        for l in 0..g.below(3) {
            let mut made = Vec::new();
            for p in 0..n_products {
                if g.chance(50) {
                    made.push(LineProduct {
                        product: ProductId::new(p),
                        rate: g.number(true),
                        cost: g.number(false),
                    });
                }
            }
            line_ids.push(LineId::new(lines.len()));
            lines.push(Line {
                id: g.id("l", l),
                facility: FacilityId::new(f),
                capacity: g.schedule(periods),
                products: made,
            });
        }
        let mut expansion_ids = Vec::new();
        if !line_ids.is_empty() {
            for _ in 0..g.below(3) {
                let window = if g.chance(20) {
                    None
                } else {
                    let a = g.below(periods);
                    Some((a, a + g.below(periods - a)))
                };
                expansion_ids.push(ExpansionId::new(expansions.len()));
                expansions.push(Expansion {
                    id: g.id("e", expansions.len()),
                    facility: FacilityId::new(f),
                    line: line_ids[g.below(line_ids.len())],
                    capacity: g.number(false),
                    lead_time: g.below(20) as u32,
                    capex: g.number(false),
                    window,
                    integer: g.chance(50),
                });
            }
        }
        facilities.push(Facility {
            id: g.id("f", f),
            name: g.name(),
            actor: ActorId::new(g.below(n_actors)),
            holding_cost: g.number(false),
            stock,
            lines: line_ids,
            expansions: expansion_ids,
        });
    }

    let mut routes = Vec::new();
    for from in 0..n_actors {
        for to in 0..n_actors {
            if g.chance(25) {
                routes.push(Route {
                    from: ActorId::new(from),
                    to: ActorId::new(to),
                    lead_time: g.below(5) as u32,
                    unit_cost: g.number(false),
                    window: None,
                });
            }
        }
    }

    let mut demands = Vec::new();
    for d in 0..g.below(4) {
        demands.push(Demand {
            id: g.id("d", d),
            buyer: ActorId::new(g.below(n_actors)),
            end_user: ActorId::new(g.below(n_actors)),
            product: ProductId::new(g.below(n_products)),
            quantity: g.schedule(periods),
            penalty: g.number(true),
            backlog: g.chance(50),
        });
    }

    let mut contracts: Vec<Contract> = Vec::new();
    if !facilities.is_empty() {
        for c in 0..g.below(3) {
            let (facility, buyer, product) = (
                FacilityId::new(g.below(facilities.len())),
                ActorId::new(g.below(n_actors)),
                ProductId::new(g.below(n_products)),
            );
            if contracts
                .iter()
                .any(|k| k.facility == facility && k.buyer == buyer && k.product == product)
            {
                continue;
            }
            contracts.push(Contract {
                id: g.id("c", c),
                facility,
                buyer,
                product,
                quantity: g.schedule(periods),
                penalty: g.number(false),
                price: g.number(false),
            });
        }
    }

    let mut policies = Vec::new();
    for p in 0..g.below(3) {
        let scope = if !blocs.is_empty() && g.chance(40) {
            Party::Bloc(BlocId::new(g.below(blocs.len())))
        } else {
            Party::Actor(ActorId::new(g.below(n_actors)))
        };
        let mut selectors = || {
            (0..g.below(3))
                .map(|_| match g.below(4) {
                    0 => Selector::Belligerent,
                    1 => Selector::All,
                    2 if !blocs.is_empty() => Selector::Bloc(BlocId::new(g.below(blocs.len()))),
                    _ => Selector::Actor(ActorId::new(g.below(n_actors))),
                })
                .collect::<Vec<_>>()
        };
        let (deny_export, deny_import, deny_end_use) = (selectors(), selectors(), selectors());
        policies.push(Policy {
            id: g.id("y", p),
            name: g.name(),
            scope,
            deny_export,
            deny_import,
            deny_end_use,
            window: None,
        });
    }

    let uncertainty = uncertainty(&mut g, n_actors, facilities.len(), demands.len());

    let mut scenario = Scenario {
        name: g.name(),
        description: if g.chance(50) { Some(g.name()) } else { None },
        calendar,
        currency: g.name(),
        default_lead_time: g.below(4) as u32,
        default_unit_cost: g.number(false),
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
    scenario.assumptions = assumptions(&mut g, &scenario);
    scenario
}

/// Assumption entries over the generated entities, their targets in the
/// order the loader keeps them (field by field, each value once).
fn assumptions(g: &mut Gen, s: &Scenario) -> Vec<Assumption> {
    let mut list = Vec::new();
    for a in 0..g.below(4) {
        let mut targets = Vec::new();
        let mut pick = |g: &mut Gen, n: usize, make: &dyn Fn(usize) -> AssumptionTarget| {
            for i in 0..n {
                if g.chance(20) {
                    targets.push(make(i));
                }
            }
        };
        pick(g, s.lines.len(), &|i| {
            AssumptionTarget::LineCapacity(LineId::new(i))
        });
        pick(g, s.lines.len(), &|i| {
            AssumptionTarget::LineCost(LineId::new(i))
        });
        let stocked: Vec<usize> = (0..s.facilities.len())
            .filter(|&f| !s.facilities[f].stock.is_empty())
            .collect();
        pick(g, stocked.len(), &|i| {
            AssumptionTarget::Stock(FacilityId::new(stocked[i]), None)
        });
        pick(g, s.facilities.len(), &|i| {
            AssumptionTarget::Holding(FacilityId::new(i))
        });
        pick(g, s.expansions.len(), &|i| {
            AssumptionTarget::ExpansionCapacity(ExpansionId::new(i))
        });
        pick(g, s.expansions.len(), &|i| {
            AssumptionTarget::ExpansionCapex(ExpansionId::new(i))
        });
        pick(g, s.demands.len(), &|i| {
            AssumptionTarget::DemandQuantity(DemandId::new(i))
        });
        pick(g, s.demands.len(), &|i| {
            AssumptionTarget::DemandPenalty(DemandId::new(i))
        });
        pick(g, s.contracts.len(), &|i| {
            AssumptionTarget::ContractQuantity(ContractId::new(i))
        });
        let inputs: Vec<(usize, ProductId)> = s
            .products
            .iter()
            .enumerate()
            .flat_map(|(p, product)| product.inputs.iter().map(move |&(i, _)| (p, i)))
            .collect();
        pick(g, inputs.len(), &|i| AssumptionTarget::Input {
            product: ProductId::new(inputs[i].0),
            input: inputs[i].1,
        });
        if targets.is_empty() {
            continue;
        }
        list.push(Assumption {
            id: g.id("a", a),
            reason: format!("reason {}", g.name()),
            low: g.below(101) as f64 / 100.0,
            high: 1.0 + g.below(300) as f64 / 100.0,
            targets,
        });
    }
    list
}

/// Uncertainty entries of every kind over the generated entities.
fn uncertainty(g: &mut Gen, actors: usize, facilities: usize, demands: usize) -> Vec<Uncertainty> {
    fn targets<T>(g: &mut Gen, n: usize, make: fn(usize) -> T) -> Targets<T> {
        if g.chance(30) {
            return Targets::All;
        }
        // Distinct indices in increasing order.
        Targets::Only((0..n).filter(|_| g.chance(50)).map(make).collect())
    }
    fn distribution(g: &mut Gen) -> Distribution {
        let mut three = [g.number(false), g.number(false), g.number(false)];
        three.sort_by(f64::total_cmp);
        match g.below(3) {
            0 => Distribution::Lognormal {
                median: g.number(true),
                sigma: g.number(false),
            },
            1 => Distribution::Triangular {
                min: three[0],
                mode: three[1],
                max: three[2],
            },
            _ => Distribution::Uniform {
                min: three[0],
                max: three[2],
            },
        }
    }
    fn range(g: &mut Gen) -> PeriodRange {
        let min = 1 + g.below(4) as u32;
        PeriodRange {
            min,
            max: min + g.below(3) as u32,
        }
    }
    let mut list = Vec::new();
    for u in 0..g.below(5) {
        let kind = match g.below(4) {
            0 if demands > 0 => UncertaintyKind::DemandMultiplier {
                demands: targets(g, demands, caisson_model::DemandId::new),
                distribution: distribution(g),
                shared: g.chance(50),
            },
            1 if facilities > 0 => UncertaintyKind::FacilityOutage {
                facilities: targets(g, facilities, FacilityId::new),
                probability: g.below(101) as f64 / 100.0,
                duration: range(g),
            },
            2 if facilities > 0 => UncertaintyKind::CapacityYield {
                facilities: targets(g, facilities, FacilityId::new),
                distribution: distribution(g),
                shared: g.chance(50),
            },
            _ => UncertaintyKind::RouteDelay {
                from: g.chance(50).then(|| ActorId::new(g.below(actors))),
                to: g.chance(50).then(|| ActorId::new(g.below(actors))),
                probability: g.below(101) as f64 / 100.0,
                extra: range(g),
                shared: g.chance(50),
            },
        };
        list.push(Uncertainty {
            id: g.id("u", u),
            kind,
        });
    }
    list
}

fn numbers() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        0.0f64..10.0,
        (0u32..1_000_000).prop_map(f64::from),
        prop::num::f64::POSITIVE.prop_filter("finite", |v| v.is_finite()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn written_scenarios_load_back_equal(
        seed in any::<u64>(),
        names in prop::collection::vec(any::<String>(), 1..8),
        numbers in prop::collection::vec(numbers(), 1..12),
    ) {
        let scenario = scenario(seed, names, numbers);
        let text = to_toml(&scenario);
        match load_str(&text, "written.toml") {
            Ok(loaded) => prop_assert_eq!(loaded.scenario, scenario, "{}", text),
            Err(error) => prop_assert!(false, "{}\n--- written:\n{}", error, text),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = load_str(&text, "fuzz.toml");
        let _ = load_source(&text, "fuzz.json", Format::Json);
    }

    #[test]
    fn structurally_random_documents_never_panic(document in documents()) {
        if let Ok(text) = toml::to_string(&document) {
            let _ = load_str(&text, "fuzz.toml");
        }
        if let Ok(text) = serde_json::to_string(&document) {
            let _ = load_source(&text, "fuzz.json", Format::Json);
        }
    }
}

/// Keys the format knows (and a few it does not), so random documents
/// reach deep into the reader and validator.
const KEYS: &[&str] = &[
    "id",
    "name",
    "start",
    "period",
    "periods",
    "blocs",
    "belligerent",
    "unit",
    "inputs",
    "actor",
    "holding_cost",
    "stock",
    "line",
    "expansion",
    "capacity",
    "products",
    "rate",
    "cost",
    "lead_time",
    "capex",
    "earliest",
    "latest",
    "integer",
    "from",
    "to",
    "unit_cost",
    "buyer",
    "end_user",
    "product",
    "quantity",
    "penalty",
    "backlog",
    "facility",
    "price",
    "scope",
    "deny_export",
    "deny_import",
    "deny_end_use",
    "extends",
    "currency",
    "default_lead_time",
    "actors",
    "routes",
    "bogus",
];

const STRINGS: &[&str] = &[
    "A",
    "B",
    "EU",
    "p",
    "q",
    "f",
    "l",
    "2026-01",
    "2026-Q1",
    "2026",
    "2025-13",
    "month",
    "quarter",
    "year",
    "belligerent",
    "*",
    "",
    "A->B",
    "nowhere.toml",
    "x y",
];

fn leaf() -> impl Strategy<Value = toml::Value> {
    prop_oneof![
        prop::sample::select(STRINGS).prop_map(|s| toml::Value::String(s.to_owned())),
        (-3i64..2_000_000).prop_map(toml::Value::Integer),
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-1.0),
            Just(0.0),
            Just(2.5),
            Just(1.0)
        ]
        .prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
    ]
}

fn value() -> impl Strategy<Value = toml::Value> {
    leaf().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(toml::Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|entries| {
                toml::Value::Table(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

fn documents() -> impl Strategy<Value = toml::Table> {
    let header = prop::collection::vec((prop::sample::select(KEYS), leaf()), 0..8);
    let kinds = prop::sample::select(
        &[
            "actor", "product", "facility", "route", "demand", "contract", "policy",
        ][..],
    );
    let entity = prop::collection::vec((prop::sample::select(KEYS), value()), 0..8);
    let entities = prop::collection::vec((kinds, prop::collection::vec(entity, 0..4)), 0..6);
    (header, entities, any::<bool>()).prop_map(|(header, entities, period)| {
        let mut doc = toml::Table::new();
        let mut scenario: toml::Table =
            header.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        // Often give a usable header so the validator is reached.
        if period {
            scenario.insert("name".into(), toml::Value::String("fuzz".into()));
            scenario.insert("start".into(), toml::Value::String("2026-01".into()));
            scenario.insert("periods".into(), toml::Value::Integer(3));
        }
        doc.insert("scenario".into(), toml::Value::Table(scenario));
        for (kind, items) in entities {
            let items = items
                .into_iter()
                .map(|fields| {
                    toml::Value::Table(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                })
                .collect();
            doc.insert(kind.to_owned(), toml::Value::Array(items));
        }
        doc
    })
}
