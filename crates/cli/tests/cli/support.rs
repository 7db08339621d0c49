//! Helpers shared by every CLI test module.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `caisson` binary under test, as a command to add arguments to.
pub fn caisson() -> Command {
    Command::new(env!("CARGO_BIN_EXE_caisson"))
}

/// Runs `caisson ARGS` and returns what it did.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    caisson().args(args).output().expect("run caisson")
}

/// A fixture of the CLI tests (`crates/cli/tests/fixtures/NAME`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository's root (for `docs/spec/example.toml`, `examples/` and
/// the browser test's script).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The spec's example scenario as the repository publishes it.
pub fn spec_example() -> PathBuf {
    root().join("docs/spec/example.toml")
}

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A path as `&str` for argument lists (test paths are UTF-8).
pub fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// What the command printed on stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Stdout then stderr, for assertion messages.
pub fn both(output: &Output) -> String {
    format!("{}\n{}", stdout(output), stderr(output))
}

/// The JSON document in the file `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read JSON file"))
        .expect("valid JSON")
}
