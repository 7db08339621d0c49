//! The page's assets, embedded at compile time.

/// Apache ECharts, minified, with its licence header (copied from npm by
/// the build script).
pub(crate) const ECHARTS: &str = include_str!(concat!(env!("OUT_DIR"), "/echarts.min.js"));

/// The ECharts version embedded.
pub(crate) const ECHARTS_VERSION: &str = include_str!(concat!(env!("OUT_DIR"), "/echarts.version"));

/// Licence notices of everything bundled in ECharts.
pub(crate) const NOTICES: &str = include_str!(concat!(env!("OUT_DIR"), "/notices.txt"));

/// The page's own script: lays out the report document.
pub(crate) const SCRIPT: &str = include_str!("../assets/report.js");

/// The page's style sheet (screen and print).
pub(crate) const STYLE: &str = include_str!("../assets/report.css");
