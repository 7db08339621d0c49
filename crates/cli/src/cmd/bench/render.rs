//! The benchmark's text table: one row per case, one column per stage;
//! columns that no case measured are left out.

use super::measure::Measurement;

/// One printed row: the case's name and group, and what it measured.
pub struct TableRow<'a> {
    /// The case's name.
    pub case: &'a str,
    /// Its series.
    pub group: &'a str,
    /// How much of the pipeline it ran.
    pub mode: &'a str,
    /// What it measured.
    pub measurement: &'a Measurement,
}

/// Seconds with three decimals below 10 s, one above.
fn secs(value: Option<f64>) -> String {
    match value {
        Some(v) if v < 10.0 => format!("{v:.3}"),
        Some(v) => format!("{v:.1}"),
        None => "-".to_owned(),
    }
}

fn count(value: Option<usize>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| crate::format::fmt_num(v as f64))
}

fn status(m: &Measurement) -> String {
    match m.mip_gap {
        Some(gap) if gap > 0.0 && m.status != "optimal" => {
            format!("{} (gap {:.2}%)", m.status, gap * 100.0)
        }
        // A MIP stopped before HiGHS had any bound.
        None if m.status == "feasible" && m.highs_seconds.is_some() => {
            "feasible (gap unknown)".to_owned()
        }
        _ => m.status.clone(),
    }
}

/// The table as text, columns aligned, numbers right-aligned.
pub fn table(rows: &[TableRow<'_>]) -> String {
    type Cell = fn(&TableRow<'_>) -> String;
    let columns: [(&str, Cell); 20] = [
        ("case", |r| r.case.to_owned()),
        ("group", |r| r.group.to_owned()),
        ("mode", |r| r.mode.to_owned()),
        ("MB", |r| format!("{:.2}", r.measurement.scenario_mb)),
        ("columns", |r| count(r.measurement.columns)),
        ("rows", |r| count(r.measurement.rows)),
        ("nonzeros", |r| count(r.measurement.nonzeros)),
        ("load s", |r| secs(r.measurement.stages.load)),
        ("build s", |r| secs(r.measurement.stages.build)),
        ("HiGHS load s", |r| secs(r.measurement.stages.highs_load)),
        ("solve s", |r| secs(r.measurement.stages.solve)),
        ("duals s", |r| secs(r.measurement.stages.duals)),
        ("start s", |r| secs(r.measurement.stages.start)),
        ("derive s", |r| secs(r.measurement.stages.derive)),
        ("greedy s", |r| secs(r.measurement.stages.greedy)),
        ("write s", |r| secs(r.measurement.stages.write)),
        ("total s", |r| secs(Some(r.measurement.total_seconds))),
        ("overhead", |r| {
            r.measurement
                .overhead_ratio
                .map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0))
        }),
        ("peak MiB", |r| {
            r.measurement
                .memory
                .as_ref()
                .map_or_else(|| "-".to_owned(), |m| format!("{:.0}", m.peak_mib))
        }),
        ("peak/HiGHS", |r| {
            r.measurement
                .memory
                .as_ref()
                .and_then(|m| m.peak_over_highs)
                .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
        }),
    ];
    let mut grid: Vec<Vec<String>> = columns
        .iter()
        .map(|(header, cell)| {
            std::iter::once((*header).to_owned())
                .chain(rows.iter().map(cell))
                .collect()
        })
        .collect();
    grid.push(
        std::iter::once("status".to_owned())
            .chain(rows.iter().map(|r| status(r.measurement)))
            .collect(),
    );
    grid.retain(|column| column.iter().skip(1).any(|cell| cell != "-"));
    let widths: Vec<usize> = grid
        .iter()
        .map(|column| column.iter().map(|c| c.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in 0..=rows.len() {
        let mut line = String::new();
        for (c, column) in grid.iter().enumerate() {
            let cell = &column[row];
            // Names and the status read left to right; numbers align right.
            let left = c < 3 || column[0] == "status";
            let cell = if left {
                format!("{cell:<width$}", width = widths[c])
            } else {
                format!("{cell:>width$}", width = widths[c])
            };
            if c > 0 {
                line.push_str("  ");
            }
            line.push_str(&cell);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::measure::Stages;
    use super::*;

    #[test]
    fn unmeasured_columns_are_dropped_and_numbers_align() {
        let full = Measurement {
            scenario_mb: 0.01,
            columns: Some(1234),
            stages: Stages {
                load: Some(0.0123),
                solve: Some(12.34),
                ..Stages::default()
            },
            total_seconds: 12.5,
            overhead_ratio: Some(0.0128),
            status: "feasible".to_owned(),
            mip_gap: Some(0.015),
            ..Measurement::default()
        };
        let load = Measurement {
            scenario_mb: 10.5,
            stages: Stages {
                load: Some(0.8),
                ..Stages::default()
            },
            total_seconds: 0.8,
            status: "loaded".to_owned(),
            ..Measurement::default()
        };
        let text = table(&[
            TableRow {
                case: "small",
                group: "size",
                mode: "full",
                measurement: &full,
            },
            TableRow {
                case: "f26316-p30-d5263-t120",
                group: "load",
                mode: "load",
                measurement: &load,
            },
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("case "), "{text}");
        assert!(!lines[0].contains("greedy s"), "{text}");
        assert!(!lines[0].contains("peak MiB"), "{text}");
        assert!(lines[1].contains("1,234"), "{text}");
        assert!(lines[1].contains("12.3"), "{text}");
        assert!(lines[1].contains("1.3%"), "{text}");
        assert!(lines[1].ends_with("feasible (gap 1.50%)"), "{text}");
        assert!(lines[2].contains("10.50"), "{text}");
        assert!(lines[2].ends_with("loaded"), "{text}");
        // Right-aligned: the MB column ends at the same place in every row.
        let end = |line: &str, cell: &str| line.find(cell).map(|i| i + cell.len());
        assert_eq!(end(lines[1], "0.01"), end(lines[2], "10.50"));
    }
}
