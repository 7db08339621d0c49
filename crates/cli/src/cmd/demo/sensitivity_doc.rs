//! The section of `docs/europe-2025.md` on how much the integrate-or-lose
//! answer rests on assumptions, written from a saved `caisson sensitivity`
//! run (`scripts/europe-2025-doc.sh` makes it: the run is too long for the
//! demo itself).
//!
//! The run it expects: subject `serbia-integrated`, first variant
//! `serbia-lost` (measure: integrated minus lost), and `base` planned
//! alongside, all for end user UKR, so that the direction of the answer
//! (integrating helps, losing hurts, both against the base) can be checked
//! at every bound.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use caisson_analysis::sensitivity::{Point, Sensitivity};

use crate::exit::Failure;
use crate::format::{fmt_units, fmt_units_delta};

/// How many assumptions the plain-words answer names.
const TOP: usize = 3;

/// Reads the `analysis` of a `caisson-sensitivity/1` file.
pub fn read(path: &Path) -> Result<Sensitivity, Failure> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))
        .map_err(Failure::Internal)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::InvalidInputMessage(format!("{}: not JSON: {e}", path.display())))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(caisson_html::SENSITIVITY_FORMAT) {
        return Err(Failure::InvalidInputMessage(format!(
            "{}: not a {} file",
            path.display(),
            caisson_html::SENSITIVITY_FORMAT
        )));
    }
    let analysis = value.get("analysis").cloned().unwrap_or_default();
    serde_json::from_value(analysis)
        .map_err(|e| Failure::InvalidInputMessage(format!("{}: `analysis`: {e}", path.display())))
}

/// The positions of the integrated, lost and base scenarios in the run.
struct Roles {
    integrated: usize,
    lost: usize,
    base: Option<usize>,
}

fn roles(s: &Sensitivity) -> Option<Roles> {
    let find = |name: &str| s.scenarios.iter().position(|x| x == name);
    Some(Roles {
        integrated: find("serbia-integrated")?,
        lost: find("serbia-lost")?,
        base: find("base"),
    })
}

/// Whether integrating helps and losing hurts at `point` (against the base).
fn direction(point: &Point, r: &Roles) -> (Option<bool>, Option<bool>) {
    let get = |i: usize| point.shortages.get(i).copied().flatten();
    let base = r.base.and_then(get);
    let helps = get(r.integrated).zip(base).map(|(i, b)| i < b);
    let hurts = get(r.lost).zip(base).map(|(l, b)| l > b);
    (helps, hurts)
}

/// Appends the section to `s`.
pub fn section(s: &mut String, sens: &Sensitivity) {
    let _ = writeln!(s, "\n## How much the answer rests on assumptions\n");
    let Some(r) = roles(sens) else {
        let _ = writeln!(
            s,
            "The saved sensitivity run does not hold the serbia-integrated and serbia-lost \
             scenarios; rerun scripts/europe-2025-doc.sh."
        );
        return;
    };
    let value = |v: Option<f64>| v.map_or_else(|| "no plan".to_owned(), fmt_units_delta);
    let whose = if sens.selection.end_users.is_empty() {
        "all demands".to_owned()
    } else {
        format!("end user {}", sens.selection.end_users.join(", "))
    };
    let shortage = |p: &Point, i: usize| {
        p.shortages
            .get(i)
            .copied()
            .flatten()
            .map_or_else(|| "-".into(), fmt_units)
    };
    let mut values: Vec<f64> = std::iter::once(&sens.base)
        .chain(
            sens.assumptions
                .iter()
                .flat_map(|a| [&a.at_low, &a.at_high]),
        )
        .filter_map(|p| p.value)
        .collect();
    values.sort_by(f64::total_cmp);
    let _ = writeln!(
        s,
        "Every value the data marks as an assumption carries a range in the data files \
         (`[[assumption]]`, see [assumptions.md](assumptions.md) and \
         [europe-2025-data.md](europe-2025-data.md)); `caisson sensitivity` re-planned \
         Serbia integrated and Serbia lost (and the base, to check the direction) with each of \
         the {n} assumptions at its low and at its high bound, one at a time. The measure is \
         Ukraine's shortage ({whose}, unit-months) with Serbia integrated minus with Serbia \
         lost: negative means integrating leaves Ukraine less short than losing.\n",
        n = sens.assumptions.len()
    );
    let _ = writeln!(
        s,
        "- At the values written: **{}** unit-months (integrated {}, lost {}{}).",
        value(sens.base.value),
        shortage(&sens.base, r.integrated),
        shortage(&sens.base, r.lost),
        r.base
            .map(|b| format!(", base {}", shortage(&sens.base, b)))
            .unwrap_or_default()
    );
    if let (Some(lo), Some(hi)) = (values.first(), values.last()) {
        let _ = writeln!(
            s,
            "- Over every assumption at either bound: from **{}** to **{}** unit-months.",
            fmt_units_delta(*lo),
            fmt_units_delta(*hi)
        );
        let sign = if *hi < 0.0 {
            "Integrating beats losing at every bound of every assumption."
        } else if *lo > 0.0 {
            "Losing Serbia leaves Ukraine less short than integrating it at every bound: the answer's sign does not depend on the assumptions, and it is the opposite of the intuitive one."
        } else {
            "The sign of the difference changes within the ranges: which choice leaves Ukraine less short depends on the assumptions (see the table)."
        };
        let _ = writeln!(s, "- {sign}");
    }
    // The direction against the base, at every point.
    if r.base.is_some() {
        let points: Vec<(String, &Point)> =
            std::iter::once(("the values written".to_owned(), &sens.base))
                .chain(sens.assumptions.iter().flat_map(|a| {
                    [
                        (format!("{} low", a.id), &a.at_low),
                        (format!("{} high", a.id), &a.at_high),
                    ]
                }))
                .collect();
        let (mut not_helps, mut not_hurts) = (Vec::new(), Vec::new());
        for (name, p) in &points {
            let (helps, hurts) = direction(p, &r);
            if helps != Some(true) {
                not_helps.push(name.clone());
            }
            if hurts != Some(true) {
                not_hurts.push(name.clone());
            }
        }
        let list = |v: &[String]| {
            v.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "- Direction against the base: integrating {}; losing {}.",
            if not_helps.is_empty() {
                "lowers Ukraine's shortage at every bound of every assumption".to_owned()
            } else {
                format!("does not lower it at {}", list(&not_helps))
            },
            if not_hurts.is_empty() {
                "raises it at every bound of every assumption".to_owned()
            } else {
                format!("does not raise it at {}", list(&not_hurts))
            }
        );
    }
    let _ = writeln!(s, "\nThe {TOP} assumptions that move the answer most:\n");
    for a in sens.assumptions.iter().take(TOP) {
        let _ = writeln!(
            s,
            "{}. **{}** (x{} to x{}): {} At its low bound the difference is {}, at its high \
             bound {} (span {}).",
            a.rank,
            a.id,
            a.low,
            a.high,
            a.reason.trim_end_matches('.').to_owned() + ".",
            value(a.at_low.value),
            value(a.at_high.value),
            fmt_units(a.span)
        );
    }
    let _ = writeln!(
        s,
        "\nThe tornado, every assumption ranked by how far it moves the difference (span over \
         low, written value and high; the demo's report.html draws it as a chart):\n"
    );
    let _ = writeln!(
        s,
        "| rank | assumption | range | difference at low | difference at high | span | integrated / lost / base at low | at high | values scaled |"
    );
    let _ = writeln!(s, "|---:|---|---|---:|---:|---:|---|---|---|");
    for a in &sens.assumptions {
        let trio = |p: &Point| {
            let mut parts = vec![shortage(p, r.integrated), shortage(p, r.lost)];
            if let Some(b) = r.base {
                parts.push(shortage(p, b));
            }
            parts.join(" / ")
        };
        let targets = if a.targets.len() > 4 {
            format!(
                "{} and {} more",
                a.targets[..3].join(", "),
                a.targets.len() - 3
            )
        } else {
            a.targets.join(", ")
        };
        let _ = writeln!(
            s,
            "| {} | {} | x{} - x{} | {} | {} | {} | {} | {} | {} |",
            a.rank,
            a.id,
            a.low,
            a.high,
            value(a.at_low.value),
            value(a.at_high.value),
            fmt_units(a.span),
            trio(&a.at_low),
            trio(&a.at_high),
            targets
        );
    }
    let gap = format!(
        " Each plan stops at a relative MIP gap of {:e}.",
        sens.mip_gap
    );
    let _ = writeln!(
        s,
        "\nOne assumption moves at a time; two wrong together can move the answer further than \
         either row shows.{gap} Reproduce with `scripts/europe-2025-doc.sh` (the command and its \
         run time are in [performance.md](performance.md))."
    );
}
