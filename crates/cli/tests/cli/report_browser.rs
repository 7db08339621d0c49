//! The HTML report in a real browser: builds reports with the binary, then
//! runs `tests/browser/report.test.mjs` (Node.js + playwright-core driving
//! Debian's headless Chromium), which fails on any console error, page error
//! or request leaving the page, and checks that every chart drew an SVG
//! with the right ECharts series. Screenshots are kept under
//! `target/browser-artifacts/`.
//!
//! Needs `node` and `/usr/bin/chromium` (Debian packages `nodejs`, `npm`,
//! `chromium`); without them the test fails and says what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{caisson, fixture, root, temp_dir};

fn chromium() -> String {
    std::env::var("CAISSON_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// Checks the tools, installing the npm packages if needed.
fn prerequisites() {
    let path = chromium();
    assert!(
        Path::new(&path).exists(),
        "the browser test needs Chromium at {path}: install the Debian package `chromium` \
         (`apt-get install -y chromium`), or set CAISSON_CHROMIUM to a Chromium binary"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "the browser test needs Node.js: install the Debian packages `nodejs` and `npm`"
    );
    if !root()
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        let status = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(root())
            .status()
            .expect("run npm ci (install the Debian package `npm`)");
        assert!(status.success(), "npm ci failed in {}", root().display());
    }
}

/// Writes a report with `caisson report ARGS --out PAGE` and checks it in
/// Chromium, keeping `SHOT.png` (and `SHOT.pdf`, the print layout).
fn check_in_browser(args: &[PathBuf], shot: &str) {
    prerequisites();
    let dir = temp_dir();
    let page = dir.path().join(format!("{shot}.html"));
    let result = caisson()
        .arg("report")
        .args(args)
        .arg("--out")
        .arg(&page)
        .output()
        .expect("run caisson");
    assert!(
        result.status.success(),
        "caisson report failed: {}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    let artifacts = root().join("target/browser-artifacts");
    let result = Command::new("node")
        .arg(root().join("tests/browser/report.test.mjs"))
        .arg(&page)
        .arg(artifacts.join(format!("{shot}.png")))
        .arg(artifacts.join(format!("{shot}.pdf")))
        .current_dir(root())
        .output()
        .expect("run node");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(result.status.success(), "browser check failed:\n{out}");
    assert!(out.contains("ok: "), "{out}");
    assert!(artifacts.join(format!("{shot}.png")).exists());
}

#[test]
fn every_view_draws_in_chromium() {
    check_in_browser(
        &[
            fixture("example-plan.json"),
            PathBuf::from("--scenario"),
            fixture("example.toml"),
            fixture("comparison.json"),
            fixture("criticality.json"),
            fixture("simulation.json"),
        ],
        "report",
    );
}

#[test]
fn a_plan_file_alone_draws_in_chromium() {
    check_in_browser(&[fixture("example-plan.json")], "report-plan-only");
}
