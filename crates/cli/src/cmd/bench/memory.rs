//! Resident memory of this process, read from Linux's `/proc/self`.
//!
//! Three tools: the current resident set (`VmRSS`), the high-water mark
//! since the last reset (`VmHWM`, reset by writing `5` to
//! `/proc/self/clear_refs`, Linux 4.0 and later) so that each stage gets its
//! own exact peak, and a sampler thread that records the resident set every
//! few milliseconds, to split one call (the solve, which also derives the
//! plan) into the part where HiGHS runs and the rest. Everything returns
//! `None` where `/proc` is not there (other systems): the benchmark then
//! reports no memory figures rather than wrong ones.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the sampler reads the resident set.
const SAMPLE_EVERY: Duration = Duration::from_millis(2);

/// A field of `/proc/self/status` in KiB (`VmRSS:   1234 kB`).
fn status_field(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let number = rest.trim().strip_suffix("kB")?.trim();
        number.parse().ok()
    })
}

fn read_status_field(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_field(&status, field)
}

/// The current resident set in KiB.
pub fn rss_kib() -> Option<u64> {
    read_status_field("VmRSS")
}

/// The peak resident set in KiB since the process started or since the last
/// successful [`reset_peak`].
pub fn peak_kib() -> Option<u64> {
    read_status_field("VmHWM")
}

/// Resets the peak resident set to the current one; false where the kernel
/// does not allow it (then [`peak_kib`] keeps counting from the start).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Measures the exact peak of one stage: resets the high-water mark, runs
/// `stage` and reads the mark. The peak is `None` when it cannot be reset,
/// because an older, larger peak would be mistaken for this stage's.
pub fn stage_peak<T>(stage: impl FnOnce() -> T) -> (T, Option<u64>) {
    let reset = reset_peak();
    let value = stage();
    let peak = if reset { peak_kib() } else { None };
    (value, peak)
}

/// A thread that records `(seconds since start, resident KiB)` until
/// stopped.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Vec<(f64, u64)>>,
}

impl Sampler {
    /// Starts sampling now.
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let started = Instant::now();
        let handle = std::thread::spawn(move || {
            let mut samples = Vec::new();
            loop {
                if let Some(kib) = rss_kib() {
                    samples.push((started.elapsed().as_secs_f64(), kib));
                }
                if flag.load(Ordering::Relaxed) {
                    return samples;
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
        });
        Self { stop, handle }
    }

    /// Stops sampling and returns the samples (empty if the thread failed).
    pub fn stop(self) -> Vec<(f64, u64)> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

/// The largest sample taken in the first `seconds` of sampling.
pub fn peak_within(samples: &[(f64, u64)], seconds: f64) -> Option<u64> {
    samples
        .iter()
        .filter(|(at, _)| *at <= seconds)
        .map(|&(_, kib)| kib)
        .max()
}

/// KiB as MiB.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_kib() {
        let status = "Name:\tcaisson\nVmHWM:\t  204800 kB\nVmRSS:\t   10240 kB\nThreads:\t1\n";
        assert_eq!(status_field(status, "VmRSS"), Some(10240));
        assert_eq!(status_field(status, "VmHWM"), Some(204800));
        assert_eq!(status_field(status, "VmSwap"), None);
        // A field whose name is a prefix of another must not match it.
        assert_eq!(status_field("VmRSSx:\t5 kB\n", "VmRSS"), None);
    }

    #[test]
    fn the_peak_of_a_window_ignores_later_samples() {
        let samples = [(0.0, 10), (0.5, 30), (1.0, 20), (1.5, 99)];
        assert_eq!(peak_within(&samples, 1.2), Some(30));
        assert_eq!(peak_within(&samples, 2.0), Some(99));
        assert_eq!(peak_within(&[], 1.0), None);
    }

    #[test]
    fn a_stage_peak_covers_what_the_stage_touched() {
        if rss_kib().is_none() {
            return; // not Linux: nothing to measure
        }
        // 64 MiB written page by page is resident while the stage runs.
        let (_, peak) = stage_peak(|| {
            // `black_box`: in a release build the optimiser would
            // otherwise sum the known contents without allocating them.
            let block = std::hint::black_box(vec![1u8; 64 << 20]);
            block
                .iter()
                .step_by(4096)
                .map(|&b| u64::from(b))
                .sum::<u64>()
        });
        let after = rss_kib().unwrap_or(0);
        if let Some(peak) = peak {
            assert!(peak >= 64 * 1024, "peak {peak} KiB");
            assert!(peak > after, "peak {peak} KiB, after {after} KiB");
        }
    }
}
