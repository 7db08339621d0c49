//! Spreadsheet date serials, for the one case that matters here: a month
//! label such as `2025-01` that a spreadsheet program turned into a date.

/// The `YYYY-MM` label of the month holding the date `serial` (days since
/// 1899-12-30, the convention of Excel and LibreOffice for dates after
/// February 1900).
pub(crate) fn month_label(serial: f64) -> String {
    let (year, month, _) = civil(serial.floor() as i64 - 25_569);
    format!("{year:04}-{month:02}")
}

/// Year, month and day of `days` since 1970-01-01 (proleptic Gregorian;
/// H. Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_give_their_month() {
        // 45658 is 2025-01-01 in Excel; 25569 is 1970-01-01.
        assert_eq!(month_label(45_658.0), "2025-01");
        assert_eq!(month_label(45_688.0), "2025-01");
        assert_eq!(month_label(45_689.0), "2025-02");
        assert_eq!(month_label(25_569.0), "1970-01");
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_782), (2024, 2, 29));
    }
}
