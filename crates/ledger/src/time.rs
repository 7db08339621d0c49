//! Dates (`YYYY-MM-DD`) and entry times (UTC `YYYY-MM-DDTHH:MM:SS.sssZ`),
//! validated so that their text order is their time order.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A malformed date or time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not `YYYY-MM-DD` or not a calendar date.
    #[error("{0:?} is not a date YYYY-MM-DD")]
    Date(String),
    /// Not `YYYY-MM-DDTHH:MM:SS.sssZ` or not a valid instant.
    #[error("{0:?} is not a UTC time YYYY-MM-DDTHH:MM:SS.sssZ")]
    Time(String),
    /// The clock is before 1970 or beyond year 9999.
    #[error("the system clock is out of range")]
    Clock,
}

/// A calendar date, written `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(String);

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// Reads `YYYY-MM-DD` at the start of `text`: (year, month, day).
fn parse_ymd(text: &str) -> Option<(u32, u32, u32)> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&text[0..4])?;
    let month = digits(&text[5..7])?;
    let day = digits(&text[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((year, month, day))
}

fn digits(text: &str) -> Option<u32> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        if text.len() == 10 && parse_ymd(text).is_some() {
            Ok(Self(text.to_owned()))
        } else {
            Err(TimeError::Date(text.to_owned()))
        }
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The calendar year.
    pub fn year(&self) -> u32 {
        parse_ymd(&self.0).map_or(0, |(y, _, _)| y)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An entry's time: UTC with milliseconds, `YYYY-MM-DDTHH:MM:SS.sssZ`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// Parses the exact format of the spec (section 5).
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let bad = || TimeError::Time(text.to_owned());
        let b = text.as_bytes();
        if b.len() != 24
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'.'
            || b[23] != b'Z'
        {
            return Err(bad());
        }
        parse_ymd(&text[..10]).ok_or_else(bad)?;
        let hour = digits(&text[11..13]).ok_or_else(bad)?;
        let minute = digits(&text[14..16]).ok_or_else(bad)?;
        let second = digits(&text[17..19]).ok_or_else(bad)?;
        digits(&text[20..23]).ok_or_else(bad)?;
        if hour > 23 || minute > 59 || second > 59 {
            return Err(bad());
        }
        Ok(Self(text.to_owned()))
    }

    /// The time `millis` milliseconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_millis(millis: u64) -> Result<Self, TimeError> {
        let days = millis / 86_400_000;
        let in_day = millis % 86_400_000;
        let (year, month, day) = civil_from_days(days);
        if year > 9999 {
            return Err(TimeError::Clock);
        }
        Ok(Self(format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000
        )))
    }

    /// The current time of the system clock.
    pub fn now() -> Result<Self, TimeError> {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| TimeError::Clock)?;
        let millis = u64::try_from(since.as_millis()).map_err(|_| TimeError::Clock)?;
        Self::from_unix_millis(millis)
    }

    /// The text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// (year, month, day) of the day `days` after 1970-01-01 (the proleptic
/// Gregorian calendar; H. Hinnant's `civil_from_days` for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_calendar_dates() {
        assert!(Date::parse("2026-02-28").is_ok());
        assert!(Date::parse("2024-02-29").is_ok());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "2026-01-01T",
            "26-01-01",
            "2026-00-10",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Date::parse("2026-03-01").map(|d| d.year()), Ok(2026));
    }

    #[test]
    fn timestamps_have_the_exact_format() {
        assert!(Timestamp::parse("2026-12-06T10:35:00.123Z").is_ok());
        for bad in [
            "2026-12-06T10:35:00Z",
            "2026-12-06T10:35:00.123+00:00",
            "2026-12-06 10:35:00.123Z",
            "2026-12-06T24:00:00.000Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unix_millis_are_formatted_in_utc() {
        assert_eq!(
            Timestamp::from_unix_millis(0).map(|t| t.0),
            Ok("1970-01-01T00:00:00.000Z".into())
        );
        // 2024-02-29T12:34:56.789Z
        assert_eq!(
            Timestamp::from_unix_millis(1_709_210_096_789).map(|t| t.0),
            Ok("2024-02-29T12:34:56.789Z".into())
        );
        let now = Timestamp::now().expect("clock");
        assert!(Timestamp::parse(now.as_str()).is_ok());
    }
}
