//! JSON rendering of explanations and matrices (`--format json`): the edge
//! where compliance results become serialisable records with ids, never
//! indices.

use caisson_compliance::{Qualification, Rule, RuleTrace, ShipmentExplanation, Trace, Verdict};
use caisson_model::{ActorId, DemandId, FacilityId, ProductId, Scenario};
use serde::Serialize;

use super::{MatrixAnswer, TransferAnswer};

#[derive(Serialize)]
struct ShipmentOut<'a> {
    kind: &'static str,
    facility: &'a str,
    demand: &'a str,
    product: &'a str,
    held: bool,
    exporter: &'a str,
    buyer: &'a str,
    end_user: &'a str,
    #[serde(flatten)]
    trace: TraceOut<'a>,
    /// The verdict per run of departure periods, when time-windowed
    /// policies make it differ (docs/windows.md); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    by_period: Option<Vec<PeriodsOut>>,
    #[serde(flatten)]
    windows: WindowsOut,
}

/// The route's window and the departure periods a flow may leave in, when
/// windows make them some periods only (docs/windows.md); both absent in a
/// scenario without windows.
#[derive(Serialize)]
struct WindowsOut {
    /// The window of the pair's explicit route (`"2026-01..2026-04"`, or
    /// `"no period"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    route_window: Option<String>,
    /// The departure periods open to the flow (verdicts and route window
    /// together), as runs of labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    open_periods: Option<String>,
}

impl WindowsOut {
    fn new(s: &Scenario, (from, to): (ActorId, ActorId), open: &caisson_plan::Open) -> Self {
        Self {
            route_window: s.route_window(from, to).map(|w| w.describe(&s.calendar)),
            open_periods: open.describe(&s.calendar),
        }
    }
}

#[derive(Serialize)]
struct PeriodsOut {
    first: String,
    last: String,
    allowed: bool,
    reason: String,
}

#[derive(Serialize)]
struct TransferOut<'a> {
    kind: &'static str,
    from: &'a str,
    to: &'a str,
    sender: &'a str,
    receiver: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    product: Option<ProductOut<'a>>,
    qualifying_products: Vec<&'a str>,
    #[serde(flatten)]
    trace: TraceOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_period: Option<Vec<PeriodsOut>>,
    #[serde(flatten)]
    windows: WindowsOut,
}

#[derive(Serialize)]
struct ProductOut<'a> {
    product: &'a str,
    qualifies: bool,
    why: &'static str,
}

#[derive(Serialize)]
struct TraceOut<'a> {
    allowed: bool,
    reason: String,
    decided_by: Option<DecisionOut<'a>>,
    rules: Vec<RuleOut<'a>>,
}

#[derive(Serialize)]
struct DecisionOut<'a> {
    rule: &'static str,
    policy: &'a str,
    list: &'static str,
    from: &'a str,
    to: &'a str,
    selector: Option<&'a str>,
}

#[derive(Serialize)]
struct RuleOut<'a> {
    rule: &'static str,
    description: &'static str,
    from: &'a str,
    to: &'a str,
    /// False when both ends are the same actor.
    applies: bool,
    allowed: bool,
    checks: Vec<CheckOut<'a>>,
}

#[derive(Serialize)]
struct CheckOut<'a> {
    policy: &'a str,
    scope: &'a str,
    list: &'static str,
    bound: &'a str,
    subject: &'a str,
    selectors: Vec<&'a str>,
    matched: Option<&'a str>,
    decisive: bool,
    /// When the policy binds, if it has a time window (docs/windows.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<String>,
}

#[derive(Serialize)]
struct MatrixOut<'a> {
    kind: &'static str,
    shipments: Vec<ShipmentCell<'a>>,
    transfers: Vec<TransferCell<'a>>,
}

#[derive(Serialize)]
struct ShipmentCell<'a> {
    facility: &'a str,
    demand: &'a str,
    product: &'a str,
    allowed: bool,
    reason: String,
    /// The departure periods open to the pair when time windows make them
    /// some periods only (docs/windows.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    open_periods: Option<String>,
}

#[derive(Serialize)]
struct TransferCell<'a> {
    from: &'a str,
    to: &'a str,
    products: Vec<&'a str>,
    allowed: bool,
    reason: String,
    /// As for a shipment cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    open_periods: Option<String>,
}

/// A shipment explanation as JSON.
pub(super) fn shipment(s: &Scenario, e: &ShipmentExplanation) -> String {
    let demand = &s.demands[e.demand.index()];
    to_string(&ShipmentOut {
        kind: "shipment",
        facility: &s.facilities[e.facility.index()].id,
        demand: &demand.id,
        product: product(s, demand.product),
        held: e.held,
        exporter: actor(s, e.exporter),
        buyer: actor(s, e.buyer),
        end_user: actor(s, e.end_user),
        trace: trace(s, &e.trace),
        by_period: periods(s, e.by_period.as_deref()),
        windows: WindowsOut::new(
            s,
            (e.exporter, e.buyer),
            &caisson_plan::Open::of_shipment(s, e.facility, e.demand),
        ),
    })
}

/// A transfer explanation as JSON.
pub(super) fn transfer(s: &Scenario, a: &TransferAnswer) -> String {
    let e = &a.explanation;
    to_string(&TransferOut {
        kind: "transfer",
        from: &s.facilities[e.from.index()].id,
        to: &s.facilities[e.to.index()].id,
        sender: actor(s, e.sender),
        receiver: actor(s, e.receiver),
        product: a
            .asked
            .map(|(p, q): (ProductId, Qualification)| ProductOut {
                product: product(s, p),
                qualifies: q.qualifies(),
                why: q.describe(),
            }),
        qualifying_products: a.qualifying.iter().map(|&p| product(s, p)).collect(),
        trace: trace(s, &e.trace),
        by_period: periods(s, e.by_period.as_deref()),
        windows: WindowsOut::new(
            s,
            (e.sender, e.receiver),
            &caisson_plan::Open::of_transfer(s, e.from, e.to),
        ),
    })
}

/// The meaningful cells of both matrices as JSON: shipment pairs where the
/// facility holds the product, transfer pairs where some product
/// qualifies (the same pairs as a plan's `compliance` and
/// `transfer_compliance` records).
pub(super) fn matrix(s: &Scenario, a: &MatrixAnswer) -> String {
    let facilities = || (0..s.facilities.len()).map(FacilityId::new);
    let mut shipments = Vec::new();
    for f in facilities() {
        for d in (0..s.demands.len()).map(DemandId::new) {
            let p = s.demands[d.index()].product;
            if a.held.is_held(f, p) {
                let v = a.matrix.shipment(f, d);
                shipments.push(ShipmentCell {
                    facility: &s.facilities[f.index()].id,
                    demand: &s.demands[d.index()].id,
                    product: product(s, p),
                    allowed: v.is_allowed(),
                    reason: v.reason(s),
                    open_periods: caisson_plan::Open::of_shipment(s, f, d).describe(&s.calendar),
                });
            }
        }
    }
    let transfers = a
        .candidates
        .pairs()
        .map(|(g, h)| {
            let v = a.matrix.transfer(g, h);
            TransferCell {
                from: &s.facilities[g.index()].id,
                to: &s.facilities[h.index()].id,
                products: a
                    .candidates
                    .products(g, h)
                    .into_iter()
                    .map(|p| product(s, p))
                    .collect(),
                allowed: v.is_allowed(),
                reason: v.reason(s),
                open_periods: caisson_plan::Open::of_transfer(s, g, h).describe(&s.calendar),
            }
        })
        .collect();
    to_string(&MatrixOut {
        kind: "matrix",
        shipments,
        transfers,
    })
}

/// Runs of departure periods with one verdict each.
fn periods(s: &Scenario, by_period: Option<&[Verdict]>) -> Option<Vec<PeriodsOut>> {
    let verdicts = by_period?;
    let mut out = Vec::new();
    let mut t = 0;
    while t < verdicts.len() {
        let first = t;
        while t + 1 < verdicts.len() && verdicts[t + 1] == verdicts[first] {
            t += 1;
        }
        out.push(PeriodsOut {
            first: s.calendar.label(first),
            last: s.calendar.label(t),
            allowed: verdicts[first].is_allowed(),
            reason: verdicts[first].reason(s),
        });
        t += 1;
    }
    Some(out)
}

fn trace<'a>(s: &'a Scenario, t: &Trace) -> TraceOut<'a> {
    TraceOut {
        allowed: t.verdict.is_allowed(),
        reason: t.verdict.reason(s),
        decided_by: decision(s, t.verdict),
        rules: t.rules.iter().map(|r| rule(s, t, r)).collect(),
    }
}

fn decision(s: &Scenario, v: Verdict) -> Option<DecisionOut<'_>> {
    let d = v.denial()?;
    Some(DecisionOut {
        rule: rule_slug(d.rule),
        policy: &s.policies[d.policy.index()].id,
        list: d.list.field_name(),
        from: actor(s, d.from),
        to: actor(s, d.to),
        selector: d.selector(s).map(|sel| s.selector_text(sel)),
    })
}

fn rule<'a>(s: &'a Scenario, t: &Trace, r: &RuleTrace) -> RuleOut<'a> {
    RuleOut {
        rule: rule_slug(r.rule),
        description: r.rule.describe(),
        from: actor(s, r.from),
        to: actor(s, r.to),
        applies: matches!(r.outcome, caisson_compliance::RuleOutcome::Checked(_)),
        allowed: r.verdict.is_allowed(),
        checks: r
            .checks()
            .iter()
            .map(|c| {
                let policy = &s.policies[c.policy.index()];
                CheckOut {
                    policy: &policy.id,
                    scope: s.party_text(policy.scope),
                    list: c.list.field_name(),
                    bound: actor(s, c.bound),
                    subject: actor(s, c.subject),
                    selectors: policy
                        .list(c.list)
                        .iter()
                        .map(|&x| s.selector_text(x))
                        .collect(),
                    matched: c.matched.map(|x| s.selector_text(x)),
                    decisive: t.is_decisive(r.rule, c),
                    window: policy.window.map(|w| w.describe(&s.calendar)),
                }
            })
            .collect(),
    }
}

fn rule_slug(rule: Rule) -> &'static str {
    match rule {
        Rule::ExporterToBuyer => "exporter_to_buyer",
        Rule::BuyerToEndUser => "buyer_to_end_user",
        Rule::EndUse => "end_use",
        Rule::Transfer => "transfer",
    }
}

fn actor(s: &Scenario, a: ActorId) -> &str {
    &s.actors[a.index()].id
}

fn product(s: &Scenario, p: ProductId) -> &str {
    &s.products[p.index()].id
}

fn to_string(value: &impl Serialize) -> String {
    // Serialising plain structs of strings, bools and vectors cannot fail.
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}
