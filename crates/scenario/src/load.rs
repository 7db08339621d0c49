//! Loading: reading files, following `extends`, and collecting problems.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Problem};
use crate::merge::merge;
use crate::raw::RawScenario;
use crate::read::read_document;
use crate::source::{Loc, Sources};
use crate::tree::{Node, Span, SyntaxError};
use crate::Format;

/// The state of one load: every file read and every problem found.
#[derive(Default)]
pub(crate) struct Load {
    pub sources: Sources,
    pub problems: Vec<Problem>,
    /// Set when some file could not be read or parsed: the merged scenario
    /// is then incomplete and is not validated (its errors would be noise).
    pub broken: bool,
    /// Display names of the files read, the requested one first.
    pub files: Vec<String>,
}

impl Load {
    /// Reads and merges the file at `path` (and its bases).
    pub fn path(&mut self, path: &Path) -> Option<RawScenario> {
        let display = path.display().to_string();
        let mut chain = Vec::new();
        if let Ok(canonical) = path.canonicalize() {
            chain.push(canonical);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
                self.text(text, &display, Format::from_path(path), &dir, &mut chain)
            }
            Err(error) => {
                let file = self.sources.add(&display, String::new());
                self.files.push(display.clone());
                self.broken = true;
                self.problems.push(Problem::error(
                    Code::ReadFailed,
                    Loc {
                        file,
                        span: Span::default(),
                    },
                    format!("cannot read {display}: {error}"),
                ));
                None
            }
        }
    }

    /// Reads and merges a document given as text; `dir` resolves `extends`.
    pub fn text(
        &mut self,
        text: String,
        display: &str,
        format: Format,
        dir: &Path,
        chain: &mut Vec<PathBuf>,
    ) -> Option<RawScenario> {
        let file = self.sources.add(display, text);
        self.files.push(display.to_owned());
        // The tree borrows the text (now held by `sources`) and is dropped
        // as soon as it has been read.
        let text = self.sources.text(file);
        let parsed = match format {
            Format::Toml => crate::tree::parse_toml(text),
            Format::Json => crate::json::parse_json(text),
        };
        let root: Node<'_> = match parsed {
            Ok(root) => root,
            Err(errors) => {
                self.broken = true;
                for SyntaxError { message, span } in errors {
                    let what = match format {
                        Format::Toml => "TOML",
                        Format::Json => "JSON",
                    };
                    self.problems.push(Problem::error(
                        Code::Syntax,
                        Loc { file, span },
                        format!("{what} syntax error: {}", first_line(&message)),
                    ));
                }
                return None;
            }
        };
        let raw = read_document(&root, file, &mut self.problems);
        drop(root);
        let Some(extends) = raw.header.extends.sp().cloned() else {
            if let Some((at, _)) = &raw.remove {
                self.problems.push(
                    Problem::error(
                        Code::RemoveWithoutExtends,
                        *at,
                        "[remove] in a scenario that extends nothing",
                    )
                    .entity("remove")
                    .hint("[remove] drops entities of a base: add `extends = \"base.toml\"` under [scenario], or delete [remove]"),
                );
            }
            return Some(raw);
        };
        let base_path = dir.join(&extends.value);
        let base_display = base_path.display().to_string();
        let canonical = match base_path.canonicalize() {
            Ok(canonical) => canonical,
            Err(error) => {
                self.broken = true;
                self.problems.push(
                    Problem::error(
                        Code::ExtendsNotFound,
                        extends.at,
                        format!("cannot read base scenario {base_display}: {error}"),
                    )
                    .entity("scenario")
                    .hint("`extends` is a path relative to the file that writes it"),
                );
                return None;
            }
        };
        if chain.contains(&canonical) {
            self.broken = true;
            let mut names: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
            names.push(canonical.display().to_string());
            self.problems.push(
                Problem::error(
                    Code::ExtendsCycle,
                    extends.at,
                    format!("`extends` forms a cycle: {}", names.join(" -> ")),
                )
                .entity("scenario"),
            );
            return None;
        }
        let base_text = match std::fs::read_to_string(&base_path) {
            Ok(text) => text,
            Err(error) => {
                self.broken = true;
                self.problems.push(
                    Problem::error(
                        Code::ExtendsNotFound,
                        extends.at,
                        format!("cannot read base scenario {base_display}: {error}"),
                    )
                    .entity("scenario"),
                );
                return None;
            }
        };
        chain.push(canonical);
        let base_dir = base_path.parent().unwrap_or(Path::new("")).to_path_buf();
        let base = self.text(
            base_text,
            &base_display,
            Format::from_path(&base_path),
            &base_dir,
            chain,
        );
        chain.pop();
        let base = base?;
        Some(merge(base, raw, &mut self.problems))
    }
}

/// Parser messages can span several lines with their own snippet; our
/// renderer draws the snippet, so only the first line is kept.
fn first_line(message: &str) -> &str {
    message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(message)
        .trim()
}
