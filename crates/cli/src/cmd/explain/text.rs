//! Text rendering of explanations and matrices for a terminal.

use std::collections::HashMap;
use std::fmt::Write;

use caisson_compliance::{
    PolicyCheck, RuleOutcome, RuleTrace, ShipmentExplanation, Trace, Verdict,
};
use caisson_model::{ActorId, DemandId, FacilityId, PolicyList, Scenario};

use super::{MatrixAnswer, TransferAnswer};

const ALLOWED: &str = "✓";
const DENIED: &str = "✗";
const NOT_APPLICABLE: &str = "·";

/// A shipment explanation: the parties, each rule checked, the verdict.
pub(super) fn shipment(s: &Scenario, e: &ShipmentExplanation) -> String {
    let facility = &s.facilities[e.facility.index()];
    let demand = &s.demands[e.demand.index()];
    let product = &s.products[demand.product.index()].id;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "shipment {} -> {}: {}",
        facility.id,
        demand.id,
        headline(e.trace.verdict)
    );
    let _ = writeln!(
        out,
        "  exporter  {}, at facility {}",
        actor(s, e.exporter),
        facility.id
    );
    let _ = writeln!(
        out,
        "  buyer     {}, demand {} for {product}",
        actor(s, e.buyer),
        demand.id
    );
    let _ = writeln!(out, "  end user  {}", actor(s, e.end_user));
    if !e.held {
        let _ = writeln!(
            out,
            "  note: {} does not hold {product}, so it can ship nothing to {} whatever the verdict",
            facility.id, demand.id
        );
    }
    rules(&mut out, s, &e.trace);
    verdict_line(&mut out, s, e.trace.verdict);
    windows_lines(&mut out, s, e.by_period.as_deref());
    route_lines(
        &mut out,
        s,
        (e.exporter, e.buyer),
        &caisson_plan::Open::of_shipment(s, e.facility, e.demand),
    );
    out
}

/// The route's window, when the pair's route has one, and the departure
/// periods the flow may leave in when they are some periods only (the
/// verdicts and the route's window together, as the plan's compliance
/// record says): a route closing mid-horizon shows here although every
/// verdict allows the flow (docs/windows.md).
fn route_lines(
    out: &mut String,
    s: &Scenario,
    (from, to): (ActorId, ActorId),
    open: &caisson_plan::Open,
) {
    let (a, b) = (&s.actors[from.index()].id, &s.actors[to.index()].id);
    match s.route_window(from, to) {
        Some(w) if w.is_empty() => {
            let _ = writeln!(
                out,
                "route {a} -> {b}: closed in every period (its window lies outside the horizon)"
            );
        }
        Some(w) => {
            let _ = writeln!(
                out,
                "route {a} -> {b}: open for departures in {} only",
                w.describe(&s.calendar)
            );
        }
        None => {}
    }
    if let Some(periods) = open.describe(&s.calendar) {
        let _ = writeln!(out, "departures allowed in: {periods}");
    }
}

/// The verdict per departure period, as runs of periods, when time-windowed
/// policies make it differ (docs/windows.md): which periods allow the flow
/// and which deny it, and why.
fn windows_lines(out: &mut String, s: &Scenario, by_period: Option<&[Verdict]>) {
    let Some(verdicts) = by_period else {
        return;
    };
    let _ = writeln!(out, "by departure period (time-windowed policies):");
    let mut t = 0;
    while t < verdicts.len() {
        let first = t;
        while t + 1 < verdicts.len() && verdicts[t + 1] == verdicts[first] {
            t += 1;
        }
        let periods = if first == t {
            s.calendar.label(first)
        } else {
            format!("{}..{}", s.calendar.label(first), s.calendar.label(t))
        };
        let what = if verdicts[first].is_allowed() {
            "allowed"
        } else {
            "denied"
        };
        let _ = writeln!(out, "  {periods}: {what}: {}", verdicts[first].reason(s));
        t += 1;
    }
}

/// A transfer explanation, with the product qualification.
pub(super) fn transfer(s: &Scenario, a: &TransferAnswer) -> String {
    let e = &a.explanation;
    let (from, to) = (&s.facilities[e.from.index()], &s.facilities[e.to.index()]);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "transfer {} -> {}: {}",
        from.id,
        to.id,
        headline(e.trace.verdict)
    );
    let _ = writeln!(
        out,
        "  sender    {}, at facility {}",
        actor(s, e.sender),
        from.id
    );
    let _ = writeln!(
        out,
        "  receiver  {}, at facility {}",
        actor(s, e.receiver),
        to.id
    );
    rules(&mut out, s, &e.trace);
    out.push('\n');
    if let Some((p, q)) = a.asked {
        let _ = writeln!(
            out,
            "product {}: {}",
            s.products[p.index()].id,
            q.describe()
        );
    }
    if a.qualifying.is_empty() {
        let _ = writeln!(
            out,
            "no product qualifies for a transfer {} -> {} (spec section 4): no transfer variable exists",
            from.id, to.id
        );
    } else {
        let names: Vec<&str> = a
            .qualifying
            .iter()
            .map(|p| s.products[p.index()].id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "products that qualify for this transfer: {}",
            names.join(", ")
        );
    }
    verdict_line(&mut out, s, e.trace.verdict);
    windows_lines(&mut out, s, e.by_period.as_deref());
    route_lines(
        &mut out,
        s,
        (e.sender, e.receiver),
        &caisson_plan::Open::of_transfer(s, e.from, e.to),
    );
    out
}

/// The shipment matrix (facilities × demands) and the transfer matrix
/// (senders × receivers), with a legend of the denial reasons.
pub(super) fn matrix(s: &Scenario, a: &MatrixAnswer) -> String {
    let mut legend = Legend::default();
    let mut out = String::new();

    let facilities: Vec<FacilityId> = (0..s.facilities.len()).map(FacilityId::new).collect();
    let demands: Vec<DemandId> = (0..s.demands.len()).map(DemandId::new).collect();
    let _ = writeln!(
        out,
        "shipments (rows: facilities, columns: demands; {ALLOWED} allowed, {DENIED}n denied for reason n, \
         {NOT_APPLICABLE} product not held)"
    );
    let cells: Vec<Vec<String>> = facilities
        .iter()
        .map(|&f| {
            demands
                .iter()
                .map(|&d| {
                    if a.held.is_held(f, s.demands[d.index()].product) {
                        legend.cell(s, a.matrix.shipment(f, d))
                    } else {
                        NOT_APPLICABLE.to_owned()
                    }
                })
                .collect()
        })
        .collect();
    table(
        &mut out,
        facilities
            .iter()
            .map(|f| s.facilities[f.index()].id.as_str()),
        demands.iter().map(|d| s.demands[d.index()].id.as_str()),
        &cells,
    );

    // Only facilities in some qualifying pair: a wholly blank row or
    // column says nothing.
    let senders: Vec<FacilityId> = facilities
        .iter()
        .copied()
        .filter(|&g| {
            facilities
                .iter()
                .any(|&h| a.candidates.pair_qualifies(g, h))
        })
        .collect();
    let receivers: Vec<FacilityId> = facilities
        .iter()
        .copied()
        .filter(|&h| {
            facilities
                .iter()
                .any(|&g| a.candidates.pair_qualifies(g, h))
        })
        .collect();
    out.push('\n');
    if senders.is_empty() {
        let _ = writeln!(
            out,
            "transfers: no pair of facilities between which a product would qualify"
        );
    } else {
        let _ = writeln!(
            out,
            "transfers (rows: from, columns: to; {ALLOWED} allowed, {DENIED}n denied for reason n, \
             {NOT_APPLICABLE} no product would qualify)"
        );
        let cells: Vec<Vec<String>> = senders
            .iter()
            .map(|&g| {
                receivers
                    .iter()
                    .map(|&h| {
                        if a.candidates.pair_qualifies(g, h) {
                            legend.cell(s, a.matrix.transfer(g, h))
                        } else {
                            NOT_APPLICABLE.to_owned()
                        }
                    })
                    .collect()
            })
            .collect();
        table(
            &mut out,
            senders.iter().map(|f| s.facilities[f.index()].id.as_str()),
            receivers
                .iter()
                .map(|f| s.facilities[f.index()].id.as_str()),
            &cells,
        );
    }

    out.push('\n');
    if legend.reasons.is_empty() {
        let _ = writeln!(out, "no meaningful pair is denied");
    } else {
        let _ = writeln!(out, "denials:");
        for (i, reason) in legend.reasons.iter().enumerate() {
            let _ = writeln!(out, "  {DENIED}{}  {reason}", i + 1);
        }
    }
    partly_open(&mut out, s, a);
    out
}

/// The meaningful pairs that time windows open in some departure periods
/// only (docs/windows.md): the matrix's cells say "allowed in every
/// period", so these are listed with their periods.
fn partly_open(out: &mut String, s: &Scenario, a: &MatrixAnswer) {
    if !s.has_windows() {
        return;
    }
    let mut rows = Vec::new();
    for f in (0..s.facilities.len()).map(FacilityId::new) {
        for d in (0..s.demands.len()).map(DemandId::new) {
            if !a.held.is_held(f, s.demands[d.index()].product) {
                continue;
            }
            if let Some(periods) = caisson_plan::Open::of_shipment(s, f, d).describe(&s.calendar) {
                rows.push((
                    format!(
                        "{} -> {}",
                        s.facilities[f.index()].id,
                        s.demands[d.index()].id
                    ),
                    periods,
                ));
            }
        }
    }
    for (g, h) in a.candidates.pairs() {
        if let Some(periods) = caisson_plan::Open::of_transfer(s, g, h).describe(&s.calendar) {
            rows.push((
                format!(
                    "transfer {} -> {}",
                    s.facilities[g.index()].id,
                    s.facilities[h.index()].id
                ),
                periods,
            ));
        }
    }
    if rows.is_empty() {
        return;
    }
    let width = rows
        .iter()
        .map(|(pair, _)| pair.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "\nopen for departures in some periods only (time windows):"
    );
    for (pair, periods) in rows {
        let _ = writeln!(out, "  {pair:<width$}  {periods}");
    }
}

/// Numbers distinct denial reasons in order of first appearance.
#[derive(Default)]
struct Legend {
    reasons: Vec<String>,
    index: HashMap<String, usize>,
}

impl Legend {
    fn cell(&mut self, s: &Scenario, verdict: Verdict) -> String {
        if verdict.is_allowed() {
            return ALLOWED.to_owned();
        }
        let reason = verdict.reason(s);
        let next = self.reasons.len();
        let n = *self.index.entry(reason.clone()).or_insert(next);
        if n == next {
            self.reasons.push(reason);
        }
        format!("{DENIED}{}", n + 1)
    }
}

/// A left-aligned table; widths count characters, not bytes (✓ is three
/// bytes but one column).
fn table<'a>(
    out: &mut String,
    rows: impl Iterator<Item = &'a str>,
    columns: impl Iterator<Item = &'a str>,
    cells: &[Vec<String>],
) {
    let rows: Vec<&str> = rows.collect();
    let columns: Vec<&str> = columns.collect();
    let width = |text: &str| text.chars().count();
    let first = rows.iter().map(|r| width(r)).max().unwrap_or(0);
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            cells
                .iter()
                .map(|row| width(&row[c]))
                .chain([width(name)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |out: &mut String, text: &str, w: usize| {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', w - width(text)));
    };
    let mut line = String::new();
    pad(&mut line, "", first);
    for (name, &w) in columns.iter().zip(&widths) {
        line.push_str("  ");
        pad(&mut line, name, w);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    for (name, row) in rows.iter().zip(cells) {
        let mut line = String::new();
        pad(&mut line, name, first);
        for (cell, &w) in row.iter().zip(&widths) {
            line.push_str("  ");
            pad(&mut line, cell, w);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn headline(verdict: Verdict) -> &'static str {
    if verdict.is_allowed() {
        "ALLOWED"
    } else {
        "DENIED"
    }
}

/// `ID (Name, belligerent)`, leaving out what adds nothing.
fn actor(s: &Scenario, a: ActorId) -> String {
    let actor = &s.actors[a.index()];
    let mut notes = Vec::new();
    if actor.name != actor.id {
        notes.push(actor.name.as_str());
    }
    if actor.belligerent {
        notes.push("belligerent");
    }
    if notes.is_empty() {
        actor.id.clone()
    } else {
        format!("{} ({})", actor.id, notes.join(", "))
    }
}

fn rules(out: &mut String, s: &Scenario, trace: &Trace) {
    for rule in &trace.rules {
        out.push('\n');
        let (from, to) = (
            &s.actors[rule.from.index()].id,
            &s.actors[rule.to.index()].id,
        );
        let _ = writeln!(out, "  {}: {from} -> {to}", rule.rule.describe());
        match &rule.outcome {
            RuleOutcome::SameActor => {
                let _ = writeln!(out, "    {NOT_APPLICABLE} same actor: rule does not apply");
            }
            RuleOutcome::Checked(_) => checks(out, s, trace, rule),
        }
    }
}

/// The checks of one rule, grouped by list, saying so when no policy binds
/// the actor with that list.
fn checks(out: &mut String, s: &Scenario, trace: &Trace, rule: &RuleTrace) {
    let lists: &[(PolicyList, ActorId)] = if rule.rule == caisson_compliance::Rule::EndUse {
        &[(PolicyList::DenyEndUse, rule.from)]
    } else {
        &[
            (PolicyList::DenyExport, rule.from),
            (PolicyList::DenyImport, rule.to),
        ]
    };
    for &(list, bound) in lists {
        let mut any = false;
        for check in rule.checks().iter().filter(|c| c.list == list) {
            any = true;
            check_line(out, s, trace, rule, check);
        }
        if !any {
            let _ = writeln!(
                out,
                "    {ALLOWED} no policy binding {} has a {} list",
                s.actors[bound.index()].id,
                list.field_name()
            );
        }
    }
}

fn check_line(
    out: &mut String,
    s: &Scenario,
    trace: &Trace,
    rule: &RuleTrace,
    check: &PolicyCheck,
) {
    let policy = &s.policies[check.policy.index()];
    let selectors: Vec<String> = policy
        .list(check.list)
        .iter()
        .map(|&sel| format!("\"{}\"", s.selector_text(sel)))
        .collect();
    let subject = &s.actors[check.subject.index()].id;
    // A time-windowed policy says when it binds (docs/windows.md).
    let binds = policy
        .window
        .map(|w| format!(", binds {}", w.describe(&s.calendar)))
        .unwrap_or_default();
    let head = format!(
        "{} (scope {}{binds}) {} [{}]",
        policy.id,
        s.party_text(policy.scope),
        check.list.field_name(),
        selectors.join(", ")
    );
    match check.matched {
        None => {
            let _ = writeln!(out, "    {ALLOWED} {head} does not select {subject}");
        }
        Some(sel) => {
            let note = if trace.is_decisive(rule.rule, check) {
                "  <- decides"
            } else {
                "  (also denies)"
            };
            let _ = writeln!(
                out,
                "    {DENIED} {head} selects {subject} via \"{}\"{note}",
                s.selector_text(sel)
            );
        }
    }
}

fn verdict_line(out: &mut String, s: &Scenario, verdict: Verdict) {
    out.push('\n');
    let what = if verdict.is_allowed() {
        "allowed"
    } else {
        "denied"
    };
    let _ = writeln!(out, "verdict: {what}: {}", verdict.reason(s));
}
