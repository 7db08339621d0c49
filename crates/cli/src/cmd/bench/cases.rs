//! Which cases a benchmark run measures: the preset sizes, the scaling
//! curves over periods and facilities, the greedy baseline, scenario files
//! and the big-file load case.

use std::path::PathBuf;

use caisson_generate::{Shape, Size};
use serde::Serialize;

use super::measure::Mode;

/// The periods of the period-scaling curve.
pub const PERIODS: [usize; 5] = [12, 24, 60, 120, 240];
/// The fixed shape of the period curve (medium's facilities, products and
/// demands).
const PERIODS_BASE: Shape = Shape {
    facilities: 40,
    products: 12,
    demands: 25,
    periods: 0,
};

/// The facility counts of the facility-scaling curve.
pub const FACILITIES: [usize; 6] = [10, 50, 100, 250, 500, 1000];
/// The fixed shape of the facility curve (large's products and demands,
/// medium's two years).
const FACILITIES_BASE: Shape = Shape {
    facilities: 0,
    products: 20,
    demands: 50,
    periods: 24,
};

/// Scenario bytes per generated facility (with its lines, expansions and
/// its share of demands and routes), measured on generated files; used to
/// size the big-file load case.
const BYTES_PER_FACILITY: f64 = 380.0;

/// Which series a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// A preset size.
    Size,
    /// The greedy baseline on a preset size.
    Greedy,
    /// The period-scaling curve.
    Periods,
    /// The facility-scaling curve.
    Facilities,
    /// A scenario file given with `--scenario`.
    Scenario,
    /// Loading a big generated file.
    LoadFile,
}

impl Group {
    /// The group's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Group::Size => "size",
            Group::Greedy => "greedy",
            Group::Periods => "periods",
            Group::Facilities => "facilities",
            Group::Scenario => "scenario",
            Group::LoadFile => "load",
        }
    }
}

/// Where a case's scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Generated (not timed) and written to a temporary TOML file.
    Generated(Size),
    /// A file on disk.
    File(PathBuf),
}

/// One benchmark case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its name in tables.
    pub label: String,
    /// Its series.
    pub group: Group,
    /// Its scenario.
    pub source: Source,
    /// How much of the pipeline it runs.
    pub mode: Mode,
}

/// Which scaling curves to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scaling {
    /// Periods 12 to 240 at 40 facilities.
    Periods,
    /// Facilities 10 to 1000 at 24 periods.
    Facilities,
    /// Both curves.
    Both,
    /// No curve.
    None,
}

/// What to measure, as chosen on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Preset sizes.
    pub sizes: Vec<Size>,
    /// Scaling curves.
    pub scaling: Scaling,
    /// Add the greedy baseline on each size.
    pub greedy: bool,
    /// Scenario files.
    pub scenarios: Vec<PathBuf>,
    /// Size in MB of a generated file to load (no solve).
    pub load_mb: Option<f64>,
    /// Stop every solver case after passing the model to HiGHS.
    pub build_only: bool,
}

/// The cases of a selection, in the order they run and are printed.
pub fn cases(selection: &Selection) -> Vec<Case> {
    let solve = if selection.build_only {
        Mode::Build
    } else {
        Mode::Full
    };
    let generated = |group, size: Size, mode| Case {
        label: size.to_string(),
        group,
        source: Source::Generated(size),
        mode,
    };
    let mut cases: Vec<Case> = selection
        .sizes
        .iter()
        .map(|&size| generated(Group::Size, size, solve))
        .collect();
    if selection.greedy {
        cases.extend(
            selection
                .sizes
                .iter()
                .map(|&size| generated(Group::Greedy, size, Mode::Greedy)),
        );
    }
    if matches!(selection.scaling, Scaling::Periods | Scaling::Both) {
        cases.extend(PERIODS.iter().map(|&periods| {
            let shape = Shape {
                periods,
                ..PERIODS_BASE
            };
            generated(Group::Periods, Size::Custom(shape), solve)
        }));
    }
    if matches!(selection.scaling, Scaling::Facilities | Scaling::Both) {
        cases.extend(FACILITIES.iter().map(|&facilities| {
            let shape = Shape {
                facilities,
                ..FACILITIES_BASE
            };
            generated(Group::Facilities, Size::Custom(shape), solve)
        }));
    }
    cases.extend(selection.scenarios.iter().map(|path| Case {
        label: path.display().to_string(),
        group: Group::Scenario,
        source: Source::File(path.clone()),
        mode: solve,
    }));
    if let Some(mb) = selection.load_mb {
        cases.push(generated(Group::LoadFile, load_size(mb), Mode::Load));
    }
    cases
}

/// A generated shape whose TOML file is about `mb` MB: xl's products and
/// periods, with one demand per five facilities.
pub fn load_size(mb: f64) -> Size {
    let facilities = (mb.max(0.0) * 1e6 / BYTES_PER_FACILITY).ceil() as usize;
    Size::Custom(Shape {
        facilities,
        products: 30,
        demands: (facilities / 5).max(1),
        periods: 120,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection() -> Selection {
        Selection {
            sizes: vec![Size::Small, Size::Xl],
            scaling: Scaling::None,
            greedy: false,
            scenarios: Vec::new(),
            load_mb: None,
            build_only: false,
        }
    }

    #[test]
    fn sizes_run_in_full_unless_build_only() {
        let list = cases(&selection());
        let labels: Vec<&str> = list.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["small", "xl"]);
        assert!(list.iter().all(|c| c.mode == Mode::Full));
        let built = cases(&Selection {
            build_only: true,
            ..selection()
        });
        assert!(built.iter().all(|c| c.mode == Mode::Build));
    }

    #[test]
    fn curves_vary_one_dimension_only() {
        let list = cases(&Selection {
            sizes: Vec::new(),
            scaling: Scaling::Both,
            ..selection()
        });
        assert_eq!(list.len(), PERIODS.len() + FACILITIES.len());
        let shapes: Vec<(Group, Shape)> = list
            .iter()
            .map(|c| match c.source {
                Source::Generated(size) => (c.group, size.shape()),
                Source::File(_) => panic!("curves are generated"),
            })
            .collect();
        let periods: Vec<usize> = shapes
            .iter()
            .filter(|(g, _)| *g == Group::Periods)
            .map(|(_, s)| s.periods)
            .collect();
        assert_eq!(periods, PERIODS);
        assert!(shapes
            .iter()
            .filter(|(g, _)| *g == Group::Periods)
            .all(|(_, s)| s.facilities == 40 && s.products == 12 && s.demands == 25));
        let facilities: Vec<usize> = shapes
            .iter()
            .filter(|(g, _)| *g == Group::Facilities)
            .map(|(_, s)| s.facilities)
            .collect();
        assert_eq!(facilities, FACILITIES);
        assert!(shapes
            .iter()
            .filter(|(g, _)| *g == Group::Facilities)
            .all(|(_, s)| s.periods == 24 && s.products == 20 && s.demands == 50));
    }

    #[test]
    fn greedy_files_and_load_cases_come_after_the_sizes() {
        let list = cases(&Selection {
            greedy: true,
            scenarios: vec![PathBuf::from("base.toml")],
            load_mb: Some(10.0),
            ..selection()
        });
        let kinds: Vec<(Group, Mode)> = list.iter().map(|c| (c.group, c.mode)).collect();
        assert_eq!(
            kinds,
            [
                (Group::Size, Mode::Full),
                (Group::Size, Mode::Full),
                (Group::Greedy, Mode::Greedy),
                (Group::Greedy, Mode::Greedy),
                (Group::Scenario, Mode::Full),
                (Group::LoadFile, Mode::Load),
            ]
        );
    }

    #[test]
    fn the_load_case_grows_with_the_target() {
        let shape = load_size(10.0).shape();
        assert_eq!(shape.facilities, 26_316);
        assert_eq!(shape.demands, 5_263);
        assert!(load_size(20.0).shape().facilities > shape.facilities);
        // Nonsense targets still give a valid (minimum) shape.
        assert_eq!(load_size(-1.0).shape().facilities, 3);
    }
}
