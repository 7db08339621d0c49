//! The section of `docs/europe-2025.md` on Serbian contracts against EU
//! ramp-ups under political risk, written from a saved `caisson breakeven`
//! run (`scripts/europe-2025-doc.sh` makes it: the run is too long for the
//! demo itself, which must stay fast).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use caisson_analysis::breakeven::{Breakeven, Crossing};

use crate::cmd::breakeven::verdict;
use crate::exit::Failure;
use crate::format::{fmt_num, fmt_units};

/// A saved run: the report's section and the analysis.
pub struct Run {
    /// The chart's data (what the report draws).
    pub section: caisson_html::Breakeven,
    /// The whole sweep.
    pub analysis: Breakeven,
}

/// Reads a `caisson-breakeven/1` file.
pub fn read(path: &Path) -> Result<Run, Failure> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))
        .map_err(Failure::Internal)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::InvalidInputMessage(format!("{}: not JSON: {e}", path.display())))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(caisson_html::BREAKEVEN_FORMAT) {
        return Err(Failure::InvalidInputMessage(format!(
            "{}: not a {} file",
            path.display(),
            caisson_html::BREAKEVEN_FORMAT
        )));
    }
    let section = caisson_html::Breakeven::from_json(&value)
        .map_err(|e| Failure::InvalidInputMessage(format!("{}: {e}", path.display())))?;
    let analysis = serde_json::from_value(value.get("analysis").cloned().unwrap_or_default())
        .map_err(|e| {
            Failure::InvalidInputMessage(format!("{}: `analysis`: {e}", path.display()))
        })?;
    Ok(Run { section, analysis })
}

fn pct(h: f64) -> String {
    format!("{}%", fmt_num(h * 100.0))
}

/// Appends the section to `s`.
pub fn section(s: &mut String, run: &Run) {
    let b = &run.analysis;
    let _ = writeln!(
        s,
        "\n## Serbian contracts or EU ramp-ups under political risk\n\n\
         Serbia suspended all ammunition exports once, on 23 Jun 2025, and resumed them case by \
         case weeks later. If the EU signs long-term contracts with Serbian producers and Serbia \
         then stops exporting to EU members, the contracts end and the money is spent. Which \
         contracts are worth signing, how much does each lower Ukraine's expected shortage, and \
         at what yearly probability of the switch would the same money do better in EU \
         ramp-ups?\n"
    );
    let hazards: Vec<String> = b.points.iter().map(|p| p.hazard.to_string()).collect();
    let method = if b.method == "auto" {
        String::new()
    } else {
        format!(" --method {}", b.method)
    };
    let _ = writeln!(
        s,
        "Reproduce ({} s for this run; see [performance](performance.md#break-even-caisson-breakeven)):\n\n```sh\ncaisson breakeven \
         examples/europe-2025/serbia-political.toml --entry {} --supplier {} --bloc {} \
         --end-user {} \\\n    --hazards {} --samples {} --seed {} --price {} --spot-price {} \
         --mip-gap {:e}{method} \\\n    --out breakeven.json --csv breakeven.csv --html breakeven.html\n```\n",
        fmt_num(b.seconds.round()),
        b.entry,
        b.supplier,
        b.bloc,
        b.end_user,
        hazards.join(","),
        b.samples,
        b.seed,
        b.price,
        b.spot_price,
        b.mip_gap
    );
    let _ = writeln!(
        s,
        "How it compares, at every yearly probability swept (it overrides the `hazard` of \
         `{entry}` in [serbia-political.toml](../examples/europe-2025/serbia-political.toml), \
         from 2025-07 on; the same {n} samples' seed at every probability, so a higher \
         probability switches no later):\n\n\
         - **the deal**: `recommend --samples` with candidate contracts only between {sup}'s \
           plants and {bloc} buyers, and no expansion. Committing costs {price} a unit now (ASSUMPTION: a margin over the \
           production cost the model already counts); a unit shipped beyond a commitment costs \
           the spot price {spot} (ASSUMPTION: a 50% premium). When the switch happens, {sup} \
           ships nothing more to EU members and what is committed after it is paid for \
           nothing. The money M is the price of the committed volume.\n\
         - **the ramp-up**: no commitment with {sup} ({sup}'s plants still sell at the spot \
           price, as in the deal's futures), and {bloc} expansions funded with at most M.\n\
         - Compared: {user}'s expected shortage (unit-months of backlog plus lost rounds, mean \
           over the samples) and the expected total cost (money now plus each sample's \
           operating, transport, spot, penalty and shortage costs).\n",
        entry = b.entry,
        n = b.samples,
        sup = b.supplier,
        bloc = b.bloc,
        user = b.end_user,
        price = fmt_num(b.price),
        spot = fmt_num(b.spot_price),
    );
    let _ = writeln!(
        s,
        "| yearly probability | samples switched | deal: money | {u} shortage | cost | ramp-up: money | {u} shortage | cost |",
        u = b.end_user
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|");
    for p in &b.points {
        let _ = writeln!(
            s,
            "| {} | {}/{} | {} | {} | {} | {} | {} | {} |",
            pct(p.hazard),
            p.switched,
            b.samples,
            fmt_num(p.deal.money.round()),
            fmt_units(p.deal.shortage.mean),
            fmt_num(p.deal.cost.mean.round()),
            fmt_num(p.ramp_up.money.round()),
            fmt_units(p.ramp_up.shortage.mean),
            fmt_num(p.ramp_up.cost.mean.round()),
        );
    }
    let _ = writeln!(
        s,
        "\nThe contracts the deal signs, and how much each lowers {}'s expected shortage (the \
         portfolio evaluated on the same samples without it):\n",
        b.end_user
    );
    for p in &b.points {
        let contracts: Vec<String> = p
            .deal
            .contracts
            .iter()
            .map(|c| {
                let volume: f64 = c.volumes.iter().map(|v| v.volume).sum();
                let drop = c
                    .drop_shortage
                    .map(|d| format!(", lowers it by {}", fmt_units(d)))
                    .unwrap_or_default();
                format!(
                    "{} -> {} {} ({} units{drop})",
                    c.facility,
                    c.buyer,
                    c.product,
                    fmt_units(volume)
                )
            })
            .collect();
        let expansions: Vec<String> = p
            .ramp_up
            .expansions
            .iter()
            .map(|x| format!("{} ({})", x.expansion, x.decided))
            .collect();
        let _ = writeln!(
            s,
            "- at {}: {}; the ramp-up funds {}.",
            pct(p.hazard),
            if contracts.is_empty() {
                "no contract is worth signing".to_owned()
            } else {
                contracts.join("; ")
            },
            if expansions.is_empty() {
                "no expansion within the budget".to_owned()
            } else {
                expansions.join(", ")
            }
        );
    }
    let shortage_name = format!("{}'s expected shortage", b.end_user);
    let _ = writeln!(
        s,
        "\n**Break-even.** {}",
        verdict(b, b.shortage, &shortage_name)
    );
    let _ = writeln!(s, "{}", verdict(b, b.cost, "expected total cost"));
    let mut what = match b.shortage {
        Crossing::AtOrBelow(h) => format!(
            "In plain words: for Ukraine, EU ramp-ups with the same money are at least as good \
             as the Serbian contracts at every probability swept, even at {}.",
            pct(h)
        ),
        Crossing::At(h) => format!(
            "In plain words: if the EU thinks the chance that Serbia stops exporting to it is \
             below about {} a year, the contracts leave Ukraine less short than EU ramp-ups \
             with the same money; above it, the ramp-ups do.",
            pct(h)
        ),
        Crossing::Above(h) => format!(
            "In plain words: up to {} a year, the contracts leave Ukraine less short than EU \
             ramp-ups with the same money.",
            pct(h)
        ),
    };
    let largest_drop = b
        .points
        .iter()
        .flat_map(|p| &p.deal.contracts)
        .filter_map(|c| c.drop_shortage)
        .fold(0.0, f64::max);
    if largest_drop < 0.5 {
        what.push_str(
            " No contract lowers Ukraine's expected shortage by even one unit-month: while \
             Serbia exports, its rounds reach EU buyers with or without a contract (at the spot \
             price), so a contract changes what they cost, not how many arrive, whereas the \
             ramp-up adds capacity that no switch can take away.",
        );
    }
    let _ = writeln!(s, "\n{what}");
    let mut funded: Vec<&str> = b
        .points
        .iter()
        .flat_map(|p| &p.ramp_up.expansions)
        .map(|x| x.expansion.as_str())
        .collect();
    funded.sort_unstable();
    funded.dedup();
    if !funded.is_empty() {
        let _ = writeln!(
            s,
            "\nRead it as either/or: the deal funds no expansion at all, so the ramp-up's money \
             first buys the {} expansions worth most ({}), which a plan without the deal would \
             take too. Whether Serbian contracts pay *on top of* those is another question, \
             which this comparison does not answer.",
            b.bloc,
            funded.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\nWhat it does not say: the probability itself (an ASSUMPTION, swept because no one \
         publishes it); anything from samples this few ({n} per probability: the figures move \
         with the seed, and a larger run is needed before quoting them); the effect of a \
         contract on Serbia's own decision (signing may make a switch less likely, which the \
         fixed hazard ignores); prices (one margin and one spot price for every product, both \
         ASSUMPTIONS); or ramp-ups that take longer than their stated lead times. The demo's \
         report.html draws both measures over the probability.",
        n = b.samples
    );
}

#[cfg(test)]
mod tests {
    use caisson_analysis::breakeven::{breakeven, BreakevenOptions};
    use caisson_analysis::recommend::SaaOptions;

    use super::*;

    /// The hand-solved fixture's run, through the file the command writes.
    fn run() -> Run {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/breakeven.toml");
        let scenario = match caisson_scenario::load_path(&path) {
            Ok(loaded) => loaded.scenario,
            Err(error) => panic!("{error}"),
        };
        let options = BreakevenOptions {
            entry: "s-turns-away".to_owned(),
            supplier: "S".to_owned(),
            bloc: "EU".to_owned(),
            end_user: "U".to_owned(),
            hazards: vec![0.0, 1.0],
            saa: SaaOptions {
                samples: 2,
                price: 10.0,
                spot_price: Some(60.0),
                penalty: Some(0.0),
                ..SaaOptions::default()
            },
        };
        let analysis = match breakeven(&scenario, &options, &|_| {}) {
            Ok(analysis) => analysis,
            Err(error) => panic!("{error}"),
        };
        let section = crate::cmd::breakeven::chart(&analysis, &scenario.currency);
        let file = serde_json::json!({
            "format": caisson_html::BREAKEVEN_FORMAT,
            "supplier": section.supplier,
            "bloc": section.bloc,
            "end_user": section.end_user,
            "entry": section.entry,
            "samples": section.samples,
            "hazards": section.hazards,
            "measures": section.measures,
            "analysis": analysis,
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let saved = dir.path().join("breakeven.json");
        std::fs::write(&saved, file.to_string()).expect("write");
        match read(&saved) {
            Ok(run) => run,
            Err(_) => panic!("the saved run reads back"),
        }
    }

    #[test]
    fn the_section_states_the_sweep_and_the_break_even() {
        let run = run();
        let mut s = String::new();
        section(&mut s, &run);
        assert!(s.contains("## Serbian contracts or EU ramp-ups under political risk"));
        assert!(s.contains("--hazards 0,1 --samples 2"), "{s}");
        // One table row per probability.
        assert!(
            s.contains("| 0% | 0/2 | 400 | 0 | 400 | 150 | 10 | 650 |"),
            "{s}"
        );
        assert!(
            s.contains("| 100% | 2/2 | 200 | 20 | 1,200 | 150 | 10 | 650 |"),
            "{s}"
        );
        assert!(
            s.contains("s-plant -> E p (40 units, lowers it by 40)"),
            "{s}"
        );
        assert!(s.contains("below a yearly probability of about 50%"), "{s}");
        assert!(s.contains("What it does not say"));
    }
}
