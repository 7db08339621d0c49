//! The machine a benchmark ran on, read from Linux's `/proc` and
//! `/etc/os-release` (fields are `None` elsewhere).

use serde::Serialize;

/// What the benchmark figures depend on besides the code.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Machine {
    /// Logical CPUs available to the process.
    pub cpus: usize,
    /// The CPU's model name.
    pub cpu_model: Option<String>,
    /// Total memory in GiB.
    pub memory_gib: Option<f64>,
    /// The operating system's pretty name.
    pub os: Option<String>,
    /// The 1, 5 and 15-minute load averages when the run started: other
    /// work on the machine slows the figures down.
    pub load_before: Option<[f64; 3]>,
    /// The load averages when it ended.
    pub load_after: Option<[f64; 3]>,
}

impl Machine {
    /// Reads the machine's description now.
    pub fn read() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let read = |path: &str| std::fs::read_to_string(path).ok();
        Self {
            cpus,
            cpu_model: read("/proc/cpuinfo").and_then(|text| cpu_model(&text)),
            memory_gib: read("/proc/meminfo").and_then(|text| memory_gib(&text)),
            os: read("/etc/os-release").and_then(|text| os_name(&text)),
            load_before: load_average(),
            load_after: None,
        }
    }
}

/// The 1, 5 and 15-minute load averages.
pub fn load_average() -> Option<[f64; 3]> {
    parse_load(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_load(text: &str) -> Option<[f64; 3]> {
    let mut fields = text.split_whitespace().map(str::parse::<f64>);
    Some([
        fields.next()?.ok()?,
        fields.next()?.ok()?,
        fields.next()?.ok()?,
    ])
}

fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

fn memory_gib(meminfo: &str) -> Option<f64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: f64 = line
        .trim_start_matches("MemTotal:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / (1024.0 * 1024.0))
}

fn os_name(os_release: &str) -> Option<String> {
    os_release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        Some(value.trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_are_parsed() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        let meminfo = "MemTotal:       25165824 kB\nMemFree:        1 kB\n";
        assert_eq!(memory_gib(meminfo), Some(24.0));
        let os = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            os_name(os).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            parse_load("0.44 1.01 1.60 2/345 6789\n"),
            Some([0.44, 1.01, 1.60])
        );
        assert_eq!(parse_load("garbage"), None);
    }
}
