//! Output formats and number formatting shared by commands.

/// How a command prints its result on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// Machine-readable JSON.
    Json,
}

/// A number with thousands separators and at most two decimals.
pub fn fmt_num(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    let integer = abs.trunc() as u64;
    let fraction = ((abs - abs.trunc()) * 100.0).round() as u64;
    let digits = integer.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if negative && (integer > 0 || fraction > 0) {
        "-"
    } else {
        ""
    };
    if fraction == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction:02}")
    }
}

/// A count of units (rounds, unit-periods of shortage, volumes) as whole
/// units with thousands separators: the terminal shows no fractions of a
/// round (the plan JSON keeps the exact values). Money and rates keep
/// [`fmt_num`]'s two decimals and [`fmt_rate`]'s one.
pub fn fmt_units(value: f64) -> String {
    fmt_num(value.round())
}

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
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1234567.0), "1,234,567");
        assert_eq!(fmt_num(-1234.5), "-1,234.50");
        assert_eq!(fmt_num(999.999), "1,000");
        assert_eq!(fmt_num(-0.001), "0");
        assert_eq!(fmt_rate(Some(0.5)), "50.0%");
        assert_eq!(fmt_rate(None), "-");
        assert_eq!(fmt_delta(20.0), "+20");
        assert_eq!(fmt_delta(-20.0), "-20");
        assert_eq!(fmt_delta(0.0), "0");
    }

    #[test]
    fn unit_counts_are_whole_units() {
        assert_eq!(fmt_units(9_241_848.61), "9,241,849");
        assert_eq!(fmt_units(0.4), "0");
        assert_eq!(fmt_units(-0.4), "0");
        assert_eq!(fmt_units(-1234.5), "-1,235");
        assert_eq!(fmt_units_delta(20.4), "+20");
        assert_eq!(fmt_units_delta(-0.3), "0");
        assert_eq!(fmt_units_delta(-2.6), "-3");
    }
}
