//! How quantities are written for people: the one number formatter of the
//! terminal, the HTML report and the plan's sentences.
//!
//! Unit counts (rounds, units of stock, capacity units, unit-periods of
//! backlog) are shown as whole units with thousands separators
//! ([`whole_units`]); money keeps two decimals ([`grouped_number`]). The
//! plan JSON keeps exact values, and its "why short?" sentences keep the
//! exact style they were first written in ([`Quantities::Exact`]) so that
//! every document stays byte-identical.

/// How the numbers in a sentence are written: unit counts rounded or not
/// ([`Quantities::units`]), money with or without thousands separators but
/// always to the cent ([`Quantities::money`]). Periods, lead times and
/// other counts that are not units are written the same either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Quantities {
    /// Up to two decimals, no trailing zeros, no separators (`1234.56`):
    /// the sentences stored in the plan JSON.
    #[default]
    Exact,
    /// Whole units with thousands separators (`1,235`), money with
    /// separators (`1,234.56`): the terminal and the HTML report, which show
    /// no fractions of a round.
    Whole,
}

impl Quantities {
    /// `value`, a count of units, in this style.
    pub fn units(self, value: f64) -> String {
        match self {
            Quantities::Exact => exact(value),
            Quantities::Whole => whole_units(value),
        }
    }

    /// `value`, an amount of money or a price, in this style: never
    /// rounded beyond the cent.
    pub fn money(self, value: f64) -> String {
        match self {
            Quantities::Exact => exact(value),
            Quantities::Whole => grouped_number(value),
        }
    }
}

/// Up to two decimals, no trailing zeros (`1234.5`, `0`): the style of
/// every number in the plan JSON's sentences.
pub(crate) fn exact(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A number with thousands separators and at most two decimals
/// (`1,234.50`, `-20`, `0`): money and other non-count values on screen.
pub fn grouped_number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    // Saturating casts: an absurd magnitude prints as the largest u64
    // rather than panicking.
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

/// A count of units (rounds, unit-periods of shortage, volumes, capacity
/// units) as whole units with thousands separators (`9,241,849`): no
/// display shows fractions of a round.
pub fn whole_units(value: f64) -> String {
    grouped_number(value.round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(grouped_number(0.0), "0");
        assert_eq!(grouped_number(1234567.0), "1,234,567");
        assert_eq!(grouped_number(-1234.5), "-1,234.50");
        assert_eq!(grouped_number(999.999), "1,000");
        assert_eq!(grouped_number(-0.001), "0");
    }

    #[test]
    fn unit_counts_are_whole_units() {
        assert_eq!(whole_units(9_241_848.61), "9,241,849");
        assert_eq!(whole_units(0.4), "0");
        assert_eq!(whole_units(-0.4), "0");
        assert_eq!(whole_units(-1234.5), "-1,235");
    }

    #[test]
    fn exact_keeps_two_decimals_without_separators() {
        assert_eq!(exact(1234.56), "1234.56");
        assert_eq!(exact(1234.5), "1234.5");
        assert_eq!(exact(120.0), "120");
        assert_eq!(exact(-0.001), "0");
        assert_eq!(Quantities::Exact.units(1234.56), "1234.56");
        assert_eq!(Quantities::Whole.units(1234.56), "1,235");
        assert_eq!(Quantities::Exact.money(1234.56), "1234.56");
        assert_eq!(Quantities::Whole.money(1234.56), "1,234.56");
    }
}
