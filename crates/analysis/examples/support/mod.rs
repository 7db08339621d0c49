//! What the timing examples `risk_resolve` and `simulate_resolve` share:
//! the modes' names, the process's CPU time and relative differences.

use caisson_analysis::Resolve;

/// The modes of a comma-separated list of `cold`, `reuse`, `warm` and
/// `basis`.
pub fn parse_modes(list: &str) -> Result<Vec<Resolve>, String> {
    list.split(',')
        .map(|m| match m {
            "cold" => Ok(Resolve::Cold),
            "reuse" => Ok(Resolve::Reuse),
            "warm" => Ok(Resolve::WarmStart),
            "basis" => Ok(Resolve::WarmBasis),
            _ => Err("modes are cold, reuse, warm and basis".to_owned()),
        })
        .collect()
}

/// CPU seconds of this process so far (all threads; Linux only): on a
/// shared machine a fairer measure of work than wall time.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are
    // fields 14 and 15 of the whole line, in clock ticks (100 per second).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// The relative difference of two objectives (0 when neither exists,
/// infinite when one only does).
pub fn relative(a: Option<f64>, b: Option<f64>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() / a.abs().max(b.abs()).max(1.0),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    }
}
