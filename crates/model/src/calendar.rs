//! Periods and their labels (spec section 1).

use std::fmt;

/// The length of one planning period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// Labels like `"2025-01"`.
    Month,
    /// Labels like `"2025-Q1"`.
    Quarter,
    /// Labels like `"2025"`.
    Year,
}

impl PeriodKind {
    /// Periods per calendar year.
    pub fn per_year(self) -> u32 {
        match self {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::Year => 1,
        }
    }

    /// The kind's name in the scenario format.
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    /// Parses `"month"`, `"quarter"` or `"year"`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "month" => Some(PeriodKind::Month),
            "quarter" => Some(PeriodKind::Quarter),
            "year" => Some(PeriodKind::Year),
            _ => None,
        }
    }

    /// An example label of this kind, for hints.
    pub fn example_label(self) -> &'static str {
        match self {
            PeriodKind::Month => "2025-01",
            PeriodKind::Quarter => "2025-Q1",
            PeriodKind::Year => "2025",
        }
    }

    /// Parses a label of any kind into its kind and absolute period number
    /// (`year * per_year + sub-period`).
    pub fn parse_any(label: &str) -> Result<(PeriodKind, i64), LabelError> {
        let bad = || LabelError::Malformed(label.to_owned());
        let year_of = |text: &str| -> Result<i64, LabelError> {
            if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
                text.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        match label.split_once('-') {
            None => Ok((PeriodKind::Year, year_of(label)?)),
            Some((year, rest)) => {
                let year = year_of(year)?;
                if let Some(q) = rest.strip_prefix('Q') {
                    match q {
                        "1" | "2" | "3" | "4" => {
                            let q: i64 = q.parse().map_err(|_| bad())?;
                            Ok((PeriodKind::Quarter, year * 4 + q - 1))
                        }
                        _ => Err(bad()),
                    }
                } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                    let month: i64 = rest.parse().map_err(|_| bad())?;
                    if (1..=12).contains(&month) {
                        Ok((PeriodKind::Month, year * 12 + month - 1))
                    } else {
                        Err(bad())
                    }
                } else {
                    Err(bad())
                }
            }
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a period label could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// Not a label of any kind.
    #[error("`{0}` is not a period label (expected e.g. \"2025-01\", \"2025-Q1\" or \"2025\")")]
    Malformed(String),
    /// A well-formed label of another kind than the scenario's periods.
    #[error("`{label}` is a {found} label but this scenario's periods are {expected}s")]
    WrongKind {
        /// The label as written.
        label: String,
        /// Its kind.
        found: PeriodKind,
        /// The scenario's kind.
        expected: PeriodKind,
    },
}

/// The planning horizon: kind of period, first period and number of periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// Kind of period.
    pub kind: PeriodKind,
    /// Absolute number of the first period (`year * per_year + sub-period`).
    pub start: i64,
    /// Number of periods N (>= 1).
    pub periods: usize,
}

impl Calendar {
    /// A calendar starting at `year` and zero-based sub-period `sub`
    /// (month 0..12, quarter 0..4, 0 for years).
    pub fn new(kind: PeriodKind, year: i64, sub: i64, periods: usize) -> Self {
        Self {
            kind,
            start: year * i64::from(kind.per_year()) + sub,
            periods,
        }
    }

    /// The label of period `t` (which may lie beyond the horizon).
    pub fn label(&self, t: usize) -> String {
        self.label_of_absolute(self.start + t as i64)
    }

    /// The label of period `t` relative to the start, which may be negative.
    pub fn label_of_absolute(&self, absolute: i64) -> String {
        let per_year = i64::from(self.kind.per_year());
        let year = absolute.div_euclid(per_year);
        let sub = absolute.rem_euclid(per_year);
        match self.kind {
            PeriodKind::Month => format!("{year:04}-{:02}", sub + 1),
            PeriodKind::Quarter => format!("{year:04}-Q{}", sub + 1),
            PeriodKind::Year => format!("{year:04}"),
        }
    }

    /// All labels of the horizon, in order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.periods).map(|t| self.label(t)).collect()
    }

    /// The offset of `label` from the start, which may be negative or at or
    /// beyond `periods` (callers decide how to treat the outside).
    pub fn offset(&self, label: &str) -> Result<i64, LabelError> {
        let (kind, absolute) = PeriodKind::parse_any(label)?;
        if kind != self.kind {
            return Err(LabelError::WrongKind {
                label: label.to_owned(),
                found: kind,
                expected: self.kind,
            });
        }
        Ok(absolute - self.start)
    }

    /// The period index of `label` if it lies within the horizon.
    pub fn parse_label(&self, label: &str) -> Result<usize, LabelError> {
        let offset = self.offset(label)?;
        usize::try_from(offset)
            .ok()
            .filter(|&t| t < self.periods)
            .ok_or_else(|| LabelError::Malformed(label.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_labels_roll_over_years() {
        let c = Calendar::new(PeriodKind::Month, 2025, 10, 4);
        assert_eq!(c.labels(), ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(c.offset("2025-01"), Ok(-10));
        assert_eq!(c.parse_label("2026-02"), Ok(3));
    }

    #[test]
    fn wrong_kind_is_reported() {
        let c = Calendar::new(PeriodKind::Month, 2025, 0, 12);
        assert!(matches!(
            c.offset("2025-Q1"),
            Err(LabelError::WrongKind {
                found: PeriodKind::Quarter,
                ..
            })
        ));
        assert!(matches!(
            c.offset("2025"),
            Err(LabelError::WrongKind { .. })
        ));
    }

    #[test]
    fn malformed_labels_are_rejected() {
        for bad in [
            "", "25-01", "2025-13", "2025-00", "2025-Q5", "2025-1", "abcd", "2025-Q",
        ] {
            assert!(
                matches!(PeriodKind::parse_any(bad), Err(LabelError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn year_and_quarter_round_trip() {
        for kind in [PeriodKind::Year, PeriodKind::Quarter, PeriodKind::Month] {
            let c = Calendar::new(kind, 2024, 0, 30);
            for t in 0..30 {
                assert_eq!(c.parse_label(&c.label(t)), Ok(t));
            }
        }
    }
}
