//! Checks on `[[assumption]]` entries of the merged scenario and their
//! conversion to the model (an extension of the spec, `docs/assumptions.md`):
//! required fields, the range (`0 <= low <= 1 <= high`: the value written
//! lies within its range), at least one target, and every target resolved
//! against the built scenario (with "did you mean").

use std::collections::HashMap;

use caisson_model::{
    Assumption, AssumptionTarget, ContractId, DemandId, ExpansionId, FacilityId, ProductId,
    Scenario,
};

use super::Builder;
use crate::diagnostic::{suggest, Code, Problem};
use crate::raw::RawAssumption;
use crate::raw::Sp;
use crate::read::{TargetField, TARGET_FIELDS};

impl Builder<'_> {
    /// The assumption entries of `raw`, resolved against `scenario` (the
    /// scenario built from the same file, without its assumptions).
    pub(super) fn assumptions(
        &mut self,
        raw: &[RawAssumption],
        scenario: &Scenario,
    ) -> Vec<Assumption> {
        let mut seen = HashMap::new();
        let mut list = Vec::new();
        for a in raw {
            let entity = &a.entity;
            self.check_required(a, a.at, entity);
            let id = a.id.sp().cloned();
            if let Some(id) = &id {
                self.unique(&mut seen, id, "assumption", entity);
            }
            let reason = a.reason.sp().cloned();
            if let Some(reason) = &reason {
                if reason.value.trim().is_empty() {
                    self.push(
                        Problem::error(Code::MissingField, reason.at, "`reason` is empty")
                            .entity(entity)
                            .hint("say why the values are assumed and why the range is what it is"),
                    );
                }
            }
            let low = a.low.sp().cloned();
            let high = a.high.sp().cloned();
            let range_ok = self.assumption_range(low.as_ref(), high.as_ref(), entity);
            let written = a.targets();
            if written.is_empty() {
                let names: Vec<String> = TARGET_FIELDS
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect();
                self.push(
                    Problem::error(
                        Code::MissingField,
                        a.at,
                        "an assumption must name the values it applies to",
                    )
                    .entity(entity)
                    .hint(format!("write one or more of {}", names.join(", "))),
                );
            }
            let mut targets = Vec::new();
            let mut targets_ok = true;
            for (field, ids) in written {
                let name = field_name(field);
                if ids.value.is_empty() {
                    self.push(
                        Problem::warning(
                            Code::EmptyTargets,
                            ids.at,
                            format!("`{name}` is empty: it names no value"),
                        )
                        .entity(entity),
                    );
                }
                for id in &ids.value {
                    match self.assumption_target(field, id, scenario, entity) {
                        Some(target) if targets.contains(&target) => {
                            self.push(
                                Problem::warning(
                                    Code::DuplicateEntry,
                                    id.at,
                                    format!("\"{}\" is listed twice in `{name}`", id.value),
                                )
                                .entity(entity),
                            );
                        }
                        Some(target) => targets.push(target),
                        None => targets_ok = false,
                    }
                }
            }
            if let (Some(id), Some(reason), Some(low), Some(high), true, true) =
                (id, reason, low, high, range_ok, targets_ok)
            {
                if !targets.is_empty() {
                    list.push(Assumption {
                        id: id.value,
                        reason: reason.value,
                        low: low.value,
                        high: high.value,
                        targets,
                    });
                }
            }
        }
        list
    }

    /// Checks `low <= 1 <= high`: the value written is the central case and
    /// must lie within its own range.
    fn assumption_range(
        &mut self,
        low: Option<&Sp<f64>>,
        high: Option<&Sp<f64>>,
        entity: &str,
    ) -> bool {
        let mut ok = low.is_some() && high.is_some();
        if let Some(low) = low {
            if low.value > 1.0 {
                self.push(
                    Problem::error(
                        Code::RangeOrder,
                        low.at,
                        format!("`low` must be at most 1, found {}", low.value),
                    )
                    .entity(entity)
                    .hint("`low` and `high` multiply the values written, which must lie within the range"),
                );
                ok = false;
            }
        }
        if let Some(high) = high {
            if high.value < 1.0 {
                self.push(
                    Problem::error(
                        Code::RangeOrder,
                        high.at,
                        format!("`high` must be at least 1, found {}", high.value),
                    )
                    .entity(entity)
                    .hint("`low` and `high` multiply the values written, which must lie within the range"),
                );
                ok = false;
            }
        }
        ok
    }

    /// Resolves one id of a target list.
    fn assumption_target(
        &mut self,
        field: TargetField,
        id: &Sp<String>,
        s: &Scenario,
        entity: &str,
    ) -> Option<AssumptionTarget> {
        let facility = |name: &str| s.facilities.iter().position(|f| f.id == name);
        let product = |name: &str| s.products.iter().position(|p| p.id == name);
        // `a.b` where `a` names a facility (or product) and `b` one of its
        // lines (stocked products, inputs): ids may contain dots, so every
        // split point is tried.
        let splits = || {
            id.value
                .char_indices()
                .filter(|&(_, c)| c == '.')
                .map(|(i, _)| (&id.value[..i], &id.value[i + 1..]))
        };
        let line_of = || {
            splits().find_map(|(f, l)| {
                let f = facility(f)?;
                s.facilities[f]
                    .lines
                    .iter()
                    .copied()
                    .find(|&line| s.lines[line.index()].id == l)
            })
        };
        let found = match field {
            TargetField::Capacity => line_of().map(AssumptionTarget::LineCapacity),
            TargetField::Costs => line_of().map(AssumptionTarget::LineCost),
            TargetField::Stock => match facility(&id.value) {
                Some(f) if !s.facilities[f].stock.is_empty() => {
                    Some(AssumptionTarget::Stock(FacilityId::new(f), None))
                }
                Some(_) => None,
                None => splits().find_map(|(f, p)| {
                    let f = facility(f)?;
                    let p = product(p)?;
                    let held = s.facilities[f]
                        .stock
                        .iter()
                        .any(|(held, _)| held.index() == p);
                    held.then(|| {
                        AssumptionTarget::Stock(FacilityId::new(f), Some(ProductId::new(p)))
                    })
                }),
            },
            TargetField::Holding => {
                facility(&id.value).map(|f| AssumptionTarget::Holding(FacilityId::new(f)))
            }
            TargetField::Expansions | TargetField::Capex => {
                let e = s.expansions.iter().position(|e| e.id == id.value);
                e.map(|e| {
                    let e = ExpansionId::new(e);
                    if field == TargetField::Expansions {
                        AssumptionTarget::ExpansionCapacity(e)
                    } else {
                        AssumptionTarget::ExpansionCapex(e)
                    }
                })
            }
            TargetField::Demands | TargetField::Penalties => {
                let d = s.demands.iter().position(|d| d.id == id.value);
                d.map(|d| {
                    let d = DemandId::new(d);
                    if field == TargetField::Demands {
                        AssumptionTarget::DemandQuantity(d)
                    } else {
                        AssumptionTarget::DemandPenalty(d)
                    }
                })
            }
            TargetField::Contracts => s
                .contracts
                .iter()
                .position(|c| c.id == id.value)
                .map(|c| AssumptionTarget::ContractQuantity(ContractId::new(c))),
            TargetField::Inputs => splits().find_map(|(p, i)| {
                let p = product(p)?;
                let i = product(i)?;
                let used = s.products[p]
                    .inputs
                    .iter()
                    .any(|(input, _)| input.index() == i);
                used.then(|| AssumptionTarget::Input {
                    product: ProductId::new(p),
                    input: ProductId::new(i),
                })
            }),
        };
        if found.is_none() {
            let name = field_name(field);
            let (what, known): (&str, Vec<String>) = match field {
                TargetField::Capacity | TargetField::Costs => (
                    "lines (facility.line)",
                    s.lines
                        .iter()
                        .map(|l| format!("{}.{}", s.facilities[l.facility.index()].id, l.id))
                        .collect(),
                ),
                TargetField::Stock => (
                    "stocks (facility or facility.product)",
                    s.facilities
                        .iter()
                        .filter(|f| !f.stock.is_empty())
                        .flat_map(|f| {
                            std::iter::once(f.id.clone()).chain(
                                f.stock
                                    .iter()
                                    .map(|(p, _)| format!("{}.{}", f.id, s.products[p.index()].id)),
                            )
                        })
                        .collect(),
                ),
                TargetField::Holding => (
                    "facilities",
                    s.facilities.iter().map(|f| f.id.clone()).collect(),
                ),
                TargetField::Expansions | TargetField::Capex => (
                    "expansions",
                    s.expansions.iter().map(|e| e.id.clone()).collect(),
                ),
                TargetField::Demands | TargetField::Penalties => {
                    ("demands", s.demands.iter().map(|d| d.id.clone()).collect())
                }
                TargetField::Contracts => (
                    "contracts",
                    s.contracts.iter().map(|c| c.id.clone()).collect(),
                ),
                TargetField::Inputs => (
                    "inputs (product.input)",
                    s.products
                        .iter()
                        .flat_map(|p| {
                            p.inputs
                                .iter()
                                .map(|(i, _)| format!("{}.{}", p.id, s.products[i.index()].id))
                        })
                        .collect(),
                ),
            };
            let hint = suggest(&id.value, what, known.iter().map(String::as_str));
            self.push(
                Problem::error(
                    Code::UnknownTarget,
                    id.at,
                    format!(
                        "`{name}`: \"{}\" names none of the scenario's {what}",
                        id.value
                    ),
                )
                .entity(entity)
                .maybe_hint(hint),
            );
        }
        found
    }
}

/// The field's name in the file.
fn field_name(field: TargetField) -> &'static str {
    TARGET_FIELDS
        .iter()
        .find(|(_, f)| *f == field)
        .map_or("?", |(name, _)| name)
}
