//! Embeds Apache ECharts into the crate.
//!
//! ECharts comes from its npm package at the version pinned in the
//! workspace root's `package.json` and `package-lock.json`; no third-party
//! file is committed. When `node_modules/echarts/dist/echarts.min.js` is
//! missing at the workspace root, this script runs
//! `npm ci --ignore-scripts --no-audit --no-fund` there, then copies the
//! bundle and the licence notices of everything it contains into `OUT_DIR`,
//! where `src/assets.rs` includes them.

// A build script talks to cargo through `cargo:` lines on stdout.
#![allow(clippy::disallowed_macros)]

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .and_then(Path::parent)
        .expect("crates/html lies two levels below the workspace root")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    println!(
        "cargo:rerun-if-changed={}",
        root.join("package-lock.json").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        root.join("package.json").display()
    );
    println!("cargo:rerun-if-changed=build.rs");

    let modules = root.join("node_modules");
    let bundle = modules.join("echarts/dist/echarts.min.js");
    let version_ok = installed_version(&modules.join("echarts/package.json"))
        .is_some_and(|v| Some(v) == locked_version(&root.join("package-lock.json")));
    if !bundle.is_file() || !version_ok {
        npm_ci(&root);
    }
    if !bundle.is_file() {
        fail(&format!(
            "`npm ci` finished but {} is still missing; check package.json and package-lock.json",
            bundle.display()
        ));
    }

    let script = read(&bundle);
    // The bundle is inlined into a <script> element: it must not close it.
    if script.to_ascii_lowercase().contains("</script") {
        fail("echarts.min.js contains `</script`, which would end the inline script early");
    }
    write(&out_dir.join("echarts.min.js"), &script);

    let version = installed_version(&modules.join("echarts/package.json"))
        .unwrap_or_else(|| "unknown".to_owned());
    write(&out_dir.join("echarts.version"), &version);

    // The licence notices of everything inside the bundle (Apache ECharts,
    // its bundled zrender, d3 code and tslib), written into every report
    // next to the bundle as a comment.
    let mut notices = String::new();
    for (title, path) in [
        ("Apache ECharts NOTICE", modules.join("echarts/NOTICE")),
        (
            "Apache ECharts subcomponent: d3 (BSD-3-Clause)",
            modules.join("echarts/licenses/LICENSE-d3"),
        ),
        (
            "zrender (BSD-3-Clause), bundled in ECharts",
            modules.join("zrender/LICENSE"),
        ),
        (
            "tslib (0BSD), bundled in ECharts",
            modules.join("tslib/LICENSE.txt"),
        ),
    ] {
        notices.push_str(&format!("---- {title} ----\n"));
        if path.is_file() {
            notices.push_str(read(&path).trim());
        } else {
            notices.push_str("(notice file not found in node_modules)");
        }
        notices.push_str("\n\n");
    }
    let notices = notices.replace("*/", "* /").replace("</", "< /");
    write(&out_dir.join("notices.txt"), &notices);
}

fn npm_ci(root: &Path) {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(root)
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!(
            "`npm ci` in {} failed ({status}); it installs ECharts, which the HTML report embeds",
            root.display()
        )),
        Err(error) => fail(&format!(
            "cannot run `npm` ({error}): building caisson-html needs Node.js and npm to fetch ECharts \
             (Debian: `apt-get install nodejs npm`), or run `npm ci --ignore-scripts` in {} first",
            root.display()
        )),
    }
}

/// The `version` of an installed package's `package.json`.
fn installed_version(package_json: &Path) -> Option<String> {
    let text = fs::read_to_string(package_json).ok()?;
    field_after(&text, "\"version\"")
}

/// The locked version of echarts in `package-lock.json`.
fn locked_version(lock: &Path) -> Option<String> {
    let text = fs::read_to_string(lock).ok()?;
    let at = text.find("\"node_modules/echarts\"")?;
    field_after(&text[at..], "\"version\"")
}

/// The string value of the first `key` in `text` (a tiny JSON scan, enough
/// for npm's own files; build scripts avoid dependencies).
fn field_after(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())))
}

fn write(path: &Path, text: &str) {
    fs::write(path, text)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", path.display())));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    panic!("caisson-html build script: {message}");
}
