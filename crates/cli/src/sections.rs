//! Analysis results turned into the HTML report's sections.

use caisson_analysis::compare::Comparison;
use caisson_analysis::risk::RiskReport;
use caisson_html::Criticality;
use serde::Serialize;

/// The JSON that an analysis command prints and writes: the report section
/// `caisson report` draws (with its `format` tag, at the top level) and the
/// full analysis result under `analysis`, so one file serves both the
/// report and scripts.
#[derive(Debug, Serialize)]
pub struct SectionFile<'a, S, A> {
    format: &'static str,
    #[serde(flatten)]
    section: S,
    analysis: &'a A,
}

impl<'a, A: Serialize> SectionFile<'a, caisson_html::Comparison, A> {
    /// A `caisson-comparison/1` file.
    pub fn comparison(section: caisson_html::Comparison, analysis: &'a A) -> Self {
        SectionFile {
            format: caisson_html::COMPARISON_FORMAT,
            section,
            analysis,
        }
    }
}

impl<'a, A: Serialize> SectionFile<'a, Criticality, A> {
    /// A `caisson-criticality/1` file.
    pub fn criticality(section: Criticality, analysis: &'a A) -> Self {
        SectionFile {
            format: caisson_html::CRITICALITY_FORMAT,
            section,
            analysis,
        }
    }
}

/// The comparison as report metrics (`caisson_html::comparison_section`,
/// shared with the platform server's reports).
pub fn comparison(comparison: &Comparison) -> caisson_html::Comparison {
    caisson_html::comparison_section(comparison)
}

pub use caisson_html::subject_text;

/// The risk report as a ranked bar chart of extra shortage
/// (`caisson_html::criticality_section`, shared with the server's reports).
pub fn criticality(report: &RiskReport) -> Criticality {
    caisson_html::criticality_section(report)
}
