//! A scenario as sheets: one sheet per entity kind (see `layout`).

use caisson_model::{
    Distribution, PeriodRange, PoliticalEffect, Scenario, Selector, SwitchTiming, Targets,
    UncertaintyKind,
};

use crate::error::FileError;
use crate::layout::{self, period_header, Field, SheetSpec, SETTINGS};
use crate::sheet::{Cell, Column, Sheet, Style};

/// Lays `scenario` out as sheets: settings, actors, products, inputs,
/// facilities, stock, lines, line products, expansions, routes, demands,
/// contracts, policies, uncertainty and assumptions (every sheet, even when it has no rows, so that
/// a planner sees where to add them).
///
/// [`crate::sheets_to_scenario`] reads the result back into an equal
/// scenario. Every part of a scenario has a place in the layout today, so
/// this does not fail; the `Result` is there so that content without one
/// is refused, never dropped.
pub fn scenario_to_sheets(scenario: &Scenario) -> Result<Vec<Sheet>, FileError> {
    let s = scenario;
    let cur = s.currency.as_str();
    let labels = s.calendar.labels();
    let mut sheets = vec![settings(s)];
    for spec in layout::SHEETS {
        let mut sheet = empty_sheet(spec, cur, &labels);
        sheet.rows = rows(s, spec.name);
        sheets.push(sheet);
    }
    Ok(sheets)
}

fn settings(s: &Scenario) -> Sheet {
    let cur = s.currency.as_str();
    let mut sheet = Sheet::new(
        layout::SCENARIO,
        vec![
            Column::new("field", Style::Text),
            Column::new("value", Style::General),
        ],
    );
    let row = |field: &Field, value: Cell| vec![Cell::text(field.header(cur)), value];
    for field in SETTINGS {
        let value = match field.name {
            "name" => text(&s.name),
            "description" => match &s.description {
                Some(description) => text(description),
                // No row at all means "no description"; a row with an
                // empty value means an empty one.
                None => continue,
            },
            "start" => Cell::text(s.calendar.label(0)),
            "period" => Cell::text(s.calendar.kind.name()),
            "periods" => Cell::Number(s.calendar.periods as f64),
            "currency" => text(&s.currency),
            "default_lead_time" => Cell::Number(f64::from(s.default_lead_time)),
            "default_unit_cost" => Cell::Number(s.default_unit_cost),
            _ => continue,
        };
        sheet.rows.push(row(field, value));
    }
    sheet
}

pub(crate) fn empty_sheet(spec: &SheetSpec, currency: &str, labels: &[String]) -> Sheet {
    let mut columns: Vec<Column> = spec.fields.iter().map(|f| f.column(currency)).collect();
    let mut sheet_frozen = 0;
    if let Some(unit) = spec.period_unit() {
        sheet_frozen = columns.len();
        columns.extend(
            labels
                .iter()
                .map(|label| Column::new(period_header(label, unit), Style::General)),
        );
    }
    let mut sheet = Sheet::new(spec.name, columns);
    sheet.frozen_columns = sheet_frozen;
    sheet
}

/// Free text. An empty cell means "the default", so an empty string is
/// written as `""`, and a text of quotes only gets one more pair (the
/// import drops one pair), which keeps every text distinct.
fn text(value: &str) -> Cell {
    if value.chars().all(|c| c == '"') && value.len().is_multiple_of(2) {
        Cell::text(format!("{value}\"\""))
    } else {
        Cell::text(value)
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> Cell {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        Cell::Empty
    } else {
        Cell::text(items.join(", "))
    }
}

fn numbers(values: &[f64]) -> impl Iterator<Item = Cell> + '_ {
    values.iter().map(|&v| Cell::Number(v))
}

pub(crate) fn rows(s: &Scenario, sheet: &str) -> Vec<Vec<Cell>> {
    let actor = |a: caisson_model::ActorId| Cell::text(&s.actors[a.index()].id);
    let product = |p: caisson_model::ProductId| Cell::text(&s.products[p.index()].id);
    let facility = |f: caisson_model::FacilityId| Cell::text(&s.facilities[f.index()].id);
    let selectors = |list: &[Selector]| list_cell(s, list);
    let mut rows = Vec::new();
    match sheet {
        layout::ACTORS => {
            for a in &s.actors {
                rows.push(vec![
                    Cell::text(&a.id),
                    text(&a.name),
                    list(a.blocs.iter().map(|b| s.blocs[b.index()].id.as_str())),
                    Cell::Bool(a.belligerent),
                ]);
            }
        }
        layout::PRODUCTS => {
            for p in &s.products {
                rows.push(vec![
                    Cell::text(&p.id),
                    text(&p.name),
                    text(&p.unit),
                    p.att_category.as_deref().map_or(Cell::Empty, text),
                ]);
            }
        }
        layout::INPUTS => {
            for p in &s.products {
                for &(input, quantity) in &p.inputs {
                    rows.push(vec![
                        Cell::text(&p.id),
                        product(input),
                        Cell::Number(quantity),
                    ]);
                }
            }
        }
        layout::FACILITIES => {
            for f in &s.facilities {
                rows.push(vec![
                    Cell::text(&f.id),
                    text(&f.name),
                    actor(f.actor),
                    Cell::Number(f.holding_cost),
                ]);
            }
        }
        layout::STOCK => {
            for f in &s.facilities {
                for &(p, quantity) in &f.stock {
                    rows.push(vec![Cell::text(&f.id), product(p), Cell::Number(quantity)]);
                }
            }
        }
        layout::LINES => {
            for line in &s.lines {
                let mut row = vec![facility(line.facility), Cell::text(&line.id)];
                row.extend(numbers(&line.capacity));
                rows.push(row);
            }
        }
        layout::LINE_PRODUCTS => {
            for line in &s.lines {
                for lp in &line.products {
                    rows.push(vec![
                        facility(line.facility),
                        Cell::text(&line.id),
                        product(lp.product),
                        Cell::Number(lp.rate),
                        Cell::Number(lp.cost),
                    ]);
                }
            }
        }
        layout::EXPANSIONS => {
            for e in &s.expansions {
                // A window wholly outside the horizon (no decision period)
                // is written just after it, as `to_toml` does: it reads
                // back as "no window" with a warning.
                let (earliest, latest) = match e.window {
                    Some((earliest, latest)) => {
                        (s.calendar.label(earliest), s.calendar.label(latest))
                    }
                    None => {
                        let after = s.calendar.label(s.calendar.periods);
                        (after.clone(), after)
                    }
                };
                rows.push(vec![
                    facility(e.facility),
                    Cell::text(&e.id),
                    Cell::text(&s.lines[e.line.index()].id),
                    Cell::Number(e.capacity),
                    Cell::Number(f64::from(e.lead_time)),
                    Cell::Number(e.capex),
                    Cell::text(earliest),
                    Cell::text(latest),
                    Cell::Bool(e.integer),
                ]);
            }
        }
        layout::ROUTES => {
            for r in &s.routes {
                rows.push(vec![
                    actor(r.from),
                    actor(r.to),
                    Cell::Number(f64::from(r.lead_time)),
                    Cell::Number(r.unit_cost),
                ]);
                let last = rows.len() - 1;
                rows[last].extend(window_cells(s, r.window));
            }
        }
        layout::DEMANDS => {
            for d in &s.demands {
                let mut row = vec![
                    Cell::text(&d.id),
                    actor(d.buyer),
                    actor(d.end_user),
                    product(d.product),
                    Cell::Number(d.penalty),
                    Cell::Bool(d.backlog),
                ];
                row.extend(numbers(&d.quantity));
                rows.push(row);
            }
        }
        layout::CONTRACTS => {
            for c in &s.contracts {
                let mut row = vec![
                    Cell::text(&c.id),
                    facility(c.facility),
                    actor(c.buyer),
                    product(c.product),
                    Cell::Number(c.penalty),
                    Cell::Number(c.price),
                ];
                row.extend(numbers(&c.quantity));
                rows.push(row);
            }
        }
        layout::POLICIES => {
            for p in &s.policies {
                rows.push(vec![
                    Cell::text(&p.id),
                    text(&p.name),
                    Cell::text(s.party_text(p.scope)),
                    selectors(&p.deny_export),
                    selectors(&p.deny_import),
                    selectors(&p.deny_end_use),
                ]);
                let last = rows.len() - 1;
                rows[last].extend(window_cells(s, p.window));
            }
        }
        layout::UNCERTAINTY => {
            for u in &s.uncertainty {
                rows.push(uncertainty_row(s, u));
            }
        }
        layout::ASSUMPTIONS => {
            for a in &s.assumptions {
                rows.push(assumption_row(s, a));
            }
        }
        _ => {}
    }
    rows
}

/// One `[[uncertainty]]` entry in the columns of its sheet; fields that do
/// not apply to its kind stay empty (the loader rejects them there).
fn uncertainty_row(s: &Scenario, u: &caisson_model::Uncertainty) -> Vec<Cell> {
    let mut cells: Vec<(&str, Cell)> = vec![("id", Cell::text(&u.id))];
    let targets = |t: &Targets<_>, id: &dyn Fn(usize) -> String| match t {
        Targets::All => Cell::text("*"),
        Targets::Only(list) => {
            let ids: Vec<String> = list.iter().map(|&i| id(i)).collect();
            list_cell_text(&ids)
        }
    };
    let demand_id = |i: usize| s.demands[i].id.clone();
    let facility_id = |i: usize| s.facilities[i].id.clone();
    let range = |r: PeriodRange| {
        if r.min == r.max {
            Cell::Number(f64::from(r.min))
        } else {
            Cell::text(format!("{}..{}", r.min, r.max))
        }
    };
    let distribution = |cells: &mut Vec<(&str, Cell)>, d: &Distribution| match *d {
        Distribution::Lognormal { median, sigma } => cells.extend([
            ("distribution", Cell::text("lognormal")),
            ("median", Cell::Number(median)),
            ("sigma", Cell::Number(sigma)),
        ]),
        Distribution::Triangular { min, mode, max } => cells.extend([
            ("distribution", Cell::text("triangular")),
            ("min", Cell::Number(min)),
            ("mode", Cell::Number(mode)),
            ("max", Cell::Number(max)),
        ]),
        Distribution::Uniform { min, max } => cells.extend([
            ("distribution", Cell::text("uniform")),
            ("min", Cell::Number(min)),
            ("max", Cell::Number(max)),
        ]),
    };
    match &u.kind {
        UncertaintyKind::DemandMultiplier {
            demands,
            distribution: d,
            shared,
        } => {
            let list = match demands {
                Targets::All => Targets::All,
                Targets::Only(l) => Targets::Only(l.iter().map(|d| d.index()).collect()),
            };
            cells.push(("kind", Cell::text("demand")));
            cells.push(("demands", targets(&list, &demand_id)));
            distribution(&mut cells, d);
            cells.push(("shared", Cell::Bool(*shared)));
        }
        UncertaintyKind::FacilityOutage {
            facilities,
            probability,
            duration,
        } => {
            cells.push(("kind", Cell::text("outage")));
            cells.push((
                "facilities",
                targets(&facility_targets(facilities), &facility_id),
            ));
            cells.push(("probability", Cell::Number(*probability)));
            cells.push(("duration", range(*duration)));
        }
        UncertaintyKind::CapacityYield {
            facilities,
            distribution: d,
            shared,
        } => {
            cells.push(("kind", Cell::text("yield")));
            cells.push((
                "facilities",
                targets(&facility_targets(facilities), &facility_id),
            ));
            distribution(&mut cells, d);
            cells.push(("shared", Cell::Bool(*shared)));
        }
        UncertaintyKind::RouteDelay {
            from,
            to,
            probability,
            extra,
            shared,
        } => {
            cells.push(("kind", Cell::text("delay")));
            if let Some(a) = from {
                cells.push(("from", Cell::text(&s.actors[a.index()].id)));
            }
            if let Some(a) = to {
                cells.push(("to", Cell::text(&s.actors[a.index()].id)));
            }
            cells.push(("probability", Cell::Number(*probability)));
            cells.push(("extra", range(*extra)));
            cells.push(("shared", Cell::Bool(*shared)));
        }
        UncertaintyKind::Political {
            timing,
            window,
            effects,
        } => {
            cells.push(("kind", Cell::text("political")));
            match *timing {
                SwitchTiming::Hazard(h) => cells.push(("hazard", Cell::Number(h))),
                SwitchTiming::Chance(p) => cells.push(("probability", Cell::Number(p))),
            }
            if !(window.start == 0 && window.end == s.periods()) {
                let [since, until] = window_cells(s, Some(*window));
                cells.push(("since", since));
                cells.push(("until", until));
            }
            let policy_ids = |start: bool| -> Vec<String> {
                effects
                    .iter()
                    .filter_map(|e| match (e, start) {
                        (PoliticalEffect::StartPolicy(p), true)
                        | (PoliticalEffect::EndPolicy(p), false) => {
                            Some(s.policies[p.index()].id.clone())
                        }
                        _ => None,
                    })
                    .collect()
            };
            for (name, ids) in [
                ("start_policies", policy_ids(true)),
                ("end_policies", policy_ids(false)),
            ] {
                if !ids.is_empty() {
                    cells.push((name, list_cell_text(&ids)));
                }
            }
            if let Some((exporter, to)) = effects.iter().find_map(|e| match e {
                PoliticalEffect::StopExports { exporter, to } => Some((exporter, to)),
                _ => None,
            }) {
                cells.push(("exporter", Cell::text(&s.actors[exporter.index()].id)));
                cells.push(("stops_exporting_to", list_cell(s, to)));
            }
            let routes: Vec<String> = effects
                .iter()
                .filter_map(|e| match e {
                    PoliticalEffect::CloseRoute { from, to } => Some(format!(
                        "{}->{}",
                        s.actors[from.index()].id,
                        s.actors[to.index()].id
                    )),
                    _ => None,
                })
                .collect();
            if !routes.is_empty() {
                cells.push(("close_routes", list_cell_text(&routes)));
            }
        }
    }
    let fields = layout::spec_fields(layout::UNCERTAINTY);
    fields
        .iter()
        .map(|f| {
            cells
                .iter()
                .find(|(name, _)| *name == f.name)
                .map_or(Cell::Empty, |(_, c)| c.clone())
        })
        .collect()
}

/// One `[[assumption]]` entry: id, reason, range, then each target field's
/// ids (as the scenario file writes them) in one comma-separated cell.
fn assumption_row(s: &Scenario, a: &caisson_model::Assumption) -> Vec<Cell> {
    let fields = layout::spec_fields(layout::ASSUMPTIONS);
    fields
        .iter()
        .map(|f| match f.name {
            "id" => Cell::text(&a.id),
            "reason" => text(&a.reason),
            "low" => Cell::Number(a.low),
            "high" => Cell::Number(a.high),
            field => {
                let ids: Vec<String> = a
                    .targets
                    .iter()
                    .filter(|t| t.field() == field)
                    .map(|t| t.id_text(s))
                    .collect();
                list_cell_text(&ids)
            }
        })
        .collect()
}

fn facility_targets(t: &Targets<caisson_model::FacilityId>) -> Targets<usize> {
    match t {
        Targets::All => Targets::All,
        Targets::Only(l) => Targets::Only(l.iter().map(|f| f.index()).collect()),
    }
}

/// The two cells of a policy's or route's time window (`docs/windows.md`):
/// inclusive labels, empty without a window; an empty window is written as
/// the period after the horizon, as `to_toml` does.
fn window_cells(s: &Scenario, window: Option<caisson_model::Window>) -> [Cell; 2] {
    match window {
        None => [Cell::Empty, Cell::Empty],
        Some(w) if w.is_empty() => {
            let after = s.calendar.label(s.calendar.periods);
            [Cell::text(after.clone()), Cell::text(after)]
        }
        Some(w) => [
            Cell::text(s.calendar.label(w.start)),
            Cell::text(s.calendar.label(w.end - 1)),
        ],
    }
}

fn list_cell_text(ids: &[String]) -> Cell {
    list(ids.iter().map(String::as_str))
}

fn list_cell(s: &Scenario, selectors: &[Selector]) -> Cell {
    list(selectors.iter().map(|&sel| s.selector_text(sel)))
}
