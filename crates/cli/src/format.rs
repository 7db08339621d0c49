//! Output formats and number formatting shared by commands.

/// How a command prints its result on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// Machine-readable JSON.
    Json,
}

// The formatters of unit counts and money live in `caisson-plan`, so
// that the terminal and the "why short?" sentences it prints (and the HTML
// report) write the same number the same way.
pub use caisson_plan::{grouped_number as fmt_num, whole_units as fmt_units};

/// A difference of unit counts, whole units with an explicit sign.
pub fn fmt_units_delta(value: f64) -> String {
    fmt_delta(value.round())
}

/// A difference with an explicit sign (`+1,000`, `-20`, `0`).
pub fn fmt_delta(value: f64) -> String {
    let text = fmt_num(value);
    if text.starts_with('-') || text == "0" {
        text
    } else {
        format!("+{text}")
    }
}

/// A fill rate as a percentage, `-` when undefined.
pub fn fmt_rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".into(), |r| format!("{:.1}%", r * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_signed_and_rates_are_percentages() {
        assert_eq!(fmt_rate(Some(0.5)), "50.0%");
        assert_eq!(fmt_rate(None), "-");
        assert_eq!(fmt_delta(20.0), "+20");
        assert_eq!(fmt_delta(-20.0), "-20");
        assert_eq!(fmt_delta(0.0), "0");
    }

    #[test]
    fn unit_count_deltas_are_whole_units() {
        assert_eq!(fmt_units_delta(20.4), "+20");
        assert_eq!(fmt_units_delta(-0.3), "0");
        assert_eq!(fmt_units_delta(-2.6), "-3");
    }
}
