//! Typed keys of the model's columns and rows, mapping HiGHS indices back to
//! (entity, period) for reading solutions, naming and duals.

use caisson_model::{ContractId, DemandId, ExpansionId, FacilityId, LineId, ProductId, Scenario};

use crate::pool::Pool;

/// One column (variable) of spec section 4. Periods are `u32` to keep the
/// key at 20 bytes: the map has one entry per column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Var {
    /// x[l,p,t]
    X {
        line: LineId,
        product: ProductId,
        t: u32,
    },
    /// y[e,t]
    Y { expansion: ExpansionId, t: u32 },
    /// z[f,d,t]
    Z {
        facility: FacilityId,
        demand: DemandId,
        t: u32,
    },
    /// w[g,h,p,t]
    W {
        from: FacilityId,
        to: FacilityId,
        product: ProductId,
        t: u32,
    },
    /// The part of a pooled w that leaves `from` in t (see `crate::pool`).
    Send { pool: u32, from: FacilityId, t: u32 },
    /// The part of a pooled w that reaches `to`, leaving in t.
    Receive { pool: u32, to: FacilityId, t: u32 },
    /// s[f,p,t]
    S {
        facility: FacilityId,
        product: ProductId,
        t: u32,
    },
    /// b[d,t]
    B { demand: DemandId, t: u32 },
    /// u[d,t]
    U { demand: DemandId, t: u32 },
    /// v[c,t]
    V { contract: ContractId, t: u32 },
    /// Units shipped beyond a first-stage contract's commitment, bought at
    /// its spot price (two-stage models only, `crate::twostage`).
    Spot { contract: ContractId, t: u32 },
}

impl Var {
    /// The family letter, as in the spec.
    pub fn kind(self) -> char {
        match self {
            Var::X { .. } => 'x',
            Var::Y { .. } => 'y',
            Var::Z { .. } => 'z',
            Var::W { .. } | Var::Send { .. } | Var::Receive { .. } => 'w',
            Var::S { .. } => 's',
            Var::B { .. } => 'b',
            Var::U { .. } => 'u',
            Var::V { .. } | Var::Spot { .. } => 'v',
        }
    }

    /// A readable, unique name such as `x[deu-plant/shells,shell-155,2026-01]`;
    /// a pooled transfer is `w[deu-plant,>,tnt,2026-01]` (sent into DEU's
    /// pool) or `w[DEU>,pol-plant,tnt,2026-01]` (received from it).
    pub fn name(self, s: &Scenario, pools: &[Pool]) -> String {
        let label = |t: u32| s.calendar.label(t as usize);
        let fac = |f: FacilityId| &s.facilities[f.index()].id;
        let prod = |p: ProductId| &s.products[p.index()].id;
        let dem = |d: DemandId| &s.demands[d.index()].id;
        match self {
            Var::X { line, product, t } => {
                let l = &s.lines[line.index()];
                format!(
                    "x[{}/{},{},{}]",
                    fac(l.facility),
                    l.id,
                    prod(product),
                    label(t)
                )
            }
            Var::Y { expansion, t } => {
                format!("y[{},{}]", s.expansions[expansion.index()].id, label(t))
            }
            Var::Z {
                facility,
                demand,
                t,
            } => {
                format!("z[{},{},{}]", fac(facility), dem(demand), label(t))
            }
            Var::W {
                from,
                to,
                product,
                t,
            } => {
                format!(
                    "w[{},{},{},{}]",
                    fac(from),
                    fac(to),
                    prod(product),
                    label(t)
                )
            }
            Var::Send { pool, from, t } => {
                let pool = &pools[pool as usize];
                format!("w[{},>,{},{}]", fac(from), prod(pool.product), label(t))
            }
            Var::Receive { pool, to, t } => {
                let pool = &pools[pool as usize];
                format!(
                    "w[{}>,{},{},{}]",
                    s.actors[pool.actor.index()].id,
                    fac(to),
                    prod(pool.product),
                    label(t)
                )
            }
            Var::S {
                facility,
                product,
                t,
            } => {
                format!("s[{},{},{}]", fac(facility), prod(product), label(t))
            }
            Var::B { demand, t } => format!("b[{},{}]", dem(demand), label(t)),
            Var::U { demand, t } => format!("u[{},{}]", dem(demand), label(t)),
            Var::V { contract, t } => {
                format!("v[{},{}]", s.contracts[contract.index()].id, label(t))
            }
            Var::Spot { contract, t } => {
                format!("o[{},{}]", s.contracts[contract.index()].id, label(t))
            }
        }
    }
}

/// One row (constraint) of spec section 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKey {
    /// Capacity of a line in a period.
    Capacity { line: LineId, t: u32 },
    /// Stock balance of a held (facility, product) in a period.
    Balance {
        facility: FacilityId,
        product: ProductId,
        t: u32,
    },
    /// Backlog or lost-demand equation of a demand in a period.
    Demand { demand: DemandId, t: u32 },
    /// Contract shortfall in one of the contract's periods in the plan.
    Contract { contract: ContractId, t: u32 },
    /// An expansion is decided at most once.
    Once { expansion: ExpansionId },
    /// What a transfer pool receives in a period equals what it is sent.
    Pool { pool: u32, t: u32 },
}

impl RowKey {
    /// A readable, unique name such as `cap[deu-plant/shells,2026-01]`.
    pub fn name(self, s: &Scenario, pools: &[Pool]) -> String {
        let label = |t: u32| s.calendar.label(t as usize);
        match self {
            RowKey::Pool { pool, t } => {
                let pool = &pools[pool as usize];
                format!(
                    "pool[{},{},{}]",
                    s.actors[pool.actor.index()].id,
                    s.products[pool.product.index()].id,
                    label(t)
                )
            }
            RowKey::Capacity { line, t } => {
                let l = &s.lines[line.index()];
                format!(
                    "cap[{}/{},{}]",
                    s.facilities[l.facility.index()].id,
                    l.id,
                    label(t)
                )
            }
            RowKey::Balance {
                facility,
                product,
                t,
            } => format!(
                "bal[{},{},{}]",
                s.facilities[facility.index()].id,
                s.products[product.index()].id,
                label(t)
            ),
            RowKey::Demand { demand, t } => {
                format!("dem[{},{}]", s.demands[demand.index()].id, label(t))
            }
            RowKey::Contract { contract, t } => {
                format!("con[{},{}]", s.contracts[contract.index()].id, label(t))
            }
            RowKey::Once { expansion } => {
                format!("once[{}]", s.expansions[expansion.index()].id)
            }
        }
    }
}
