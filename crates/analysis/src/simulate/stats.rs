//! Percentiles of a sample of numbers.
//!
//! The definition is linear interpolation between order statistics (type 7
//! of Hyndman and Fan, the default of R, NumPy and spreadsheets): for `n`
//! sorted values `x[0] <= … <= x[n-1]` and a quantile `q` in [0, 1], let
//! `h = (n - 1) q`; the percentile is `x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋])`.
//! It is non-decreasing in `q`, equals the minimum at 0 and the maximum at 1.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The `q`-quantile of `sorted` (increasing, no NaN); `None` when empty.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    let fraction = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // Written so that equal neighbours give exactly their value.
    Some(if fraction == 0.0 || a == b {
        a
    } else {
        a + fraction * (b - a)
    })
}

/// Summary of one quantity over the samples where it is defined.
#[derive(Debug, Clone, PartialEq)]
pub struct Percentiles {
    /// Number of samples that define the quantity.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// `(quantile, value)` in increasing quantile order.
    pub quantiles: Vec<(f64, f64)>,
    /// Largest value.
    pub max: f64,
}

impl Percentiles {
    /// Summarises `values` (NaN-free) at `quantiles`; `None` when empty.
    pub fn of(values: &[f64], quantiles: &[f64]) -> Option<Self> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        Some(Percentiles {
            count: sorted.len(),
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            min,
            quantiles: quantiles
                .iter()
                .map(|&q| (q, percentile(&sorted, q).unwrap_or(min)))
                .collect(),
            max,
        })
    }

    /// The value at quantile `q`, if it was computed.
    pub fn at(&self, q: f64) -> Option<f64> {
        self.quantiles
            .iter()
            .find(|(x, _)| *x == q)
            .map(|(_, v)| *v)
    }
}

/// The key of a quantile: `p5` for 0.05, `p50` for 0.5, `p2.5` for 0.025.
pub fn label(q: f64) -> String {
    let percent = (q * 100.0 * 1e6).round() / 1e6;
    format!("p{percent}")
}

/// Serialised as `{"count", "mean", "min", "p5", "p50", …, "max"}`, with the
/// quantile keys in increasing order.
impl Serialize for Percentiles {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4 + self.quantiles.len()))?;
        map.serialize_entry("count", &self.count)?;
        map.serialize_entry("mean", &self.mean)?;
        map.serialize_entry("min", &self.min)?;
        for (q, v) in &self.quantiles {
            map.serialize_entry(&label(*q), v)?;
        }
        map.serialize_entry("max", &self.max)?;
        map.end()
    }
}

/// Read back from [`Percentiles`]' own form: `count`, `mean`, `min`,
/// `max` and one `p<percent>` key per quantile (in any order; quantiles
/// are sorted).
impl<'de> Deserialize<'de> for Percentiles {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PercentilesVisitor)
    }
}

struct PercentilesVisitor;

impl<'de> Visitor<'de> for PercentilesVisitor {
    type Value = Percentiles;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of count, mean, min, p<percent>... and max")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Percentiles, A::Error> {
        let (mut count, mut mean, mut min, mut max) = (None, None, None, None);
        let mut quantiles = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "count" => count = Some(map.next_value()?),
                "mean" => mean = Some(map.next_value()?),
                "min" => min = Some(map.next_value()?),
                "max" => max = Some(map.next_value()?),
                other => {
                    let percent: f64 = other
                        .strip_prefix('p')
                        .and_then(|p| p.parse().ok())
                        .ok_or_else(|| {
                            de::Error::unknown_field(
                                other,
                                &["count", "mean", "min", "p<percent>", "max"],
                            )
                        })?;
                    quantiles.push((percent / 100.0, map.next_value()?));
                }
            }
        }
        quantiles.sort_by(|a: &(f64, f64), b| a.0.total_cmp(&b.0));
        Ok(Percentiles {
            count: count.ok_or_else(|| de::Error::missing_field("count"))?,
            mean: mean.ok_or_else(|| de::Error::missing_field("mean"))?,
            min: min.ok_or_else(|| de::Error::missing_field("min"))?,
            quantiles,
            max: max.ok_or_else(|| de::Error::missing_field("max"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        // h = 4q: q = 0.5 -> x[2]; q = 0.05 -> 0.2 of the way 1 -> 2;
        // q = 0.95 -> 0.8 of the way 8 -> 16; q = 0.1 -> 0.4 of 1 -> 2.
        assert_eq!(percentile(&x, 0.5), Some(4.0));
        assert!((percentile(&x, 0.05).unwrap_or(f64::NAN) - 1.2).abs() < 1e-12);
        assert!((percentile(&x, 0.95).unwrap_or(f64::NAN) - 14.4).abs() < 1e-12);
        assert!((percentile(&x, 0.1).unwrap_or(f64::NAN) - 1.4).abs() < 1e-12);
        assert_eq!(percentile(&x, 0.0), Some(1.0));
        assert_eq!(percentile(&x, 1.0), Some(16.0));
        assert_eq!(percentile(&[7.0], 0.3), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
        // Two values: the median is their midpoint.
        assert_eq!(percentile(&[2.0, 4.0], 0.5), Some(3.0));
    }

    #[test]
    fn percentiles_never_decrease_with_the_quantile() {
        let x: Vec<f64> = (0..37).map(|i| ((i * 7919) % 101) as f64 / 3.0).collect();
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let mut last = f64::NEG_INFINITY;
        for k in 0..=100 {
            let p = percentile(&sorted, k as f64 / 100.0).unwrap_or(f64::NAN);
            assert!(p >= last, "q = {k}%: {p} < {last}");
            last = p;
        }
    }

    #[test]
    fn summary_orders_values_and_labels_quantiles() {
        let p = Percentiles::of(&[3.0, 1.0, 2.0], &[0.05, 0.5, 0.95]).expect("values");
        assert_eq!((p.count, p.min, p.max, p.mean), (3, 1.0, 3.0, 2.0));
        assert_eq!(p.at(0.5), Some(2.0));
        let json = serde_json::to_string(&p).expect("json");
        let keys: Vec<&str> = json
            .trim_matches(|c| c == '{' || c == '}')
            .split(',')
            .filter_map(|kv| kv.split(':').next())
            .collect();
        assert_eq!(
            keys,
            [
                r#""count""#,
                r#""mean""#,
                r#""min""#,
                r#""p5""#,
                r#""p50""#,
                r#""p95""#,
                r#""max""#
            ]
        );
        assert!(json.contains(r#""p5":1.1,"#), "{json}");
        assert_eq!(label(0.025), "p2.5");
        let back: Percentiles = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, p);
        assert!(Percentiles::of(&[], &[0.5]).is_none());
    }
}
