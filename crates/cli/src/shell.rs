//! The one reporter of the CLI, in the manner of cargo's `Shell`: every byte
//! `caisson` writes to stdout or stderr goes through a [`Shell`].
//!
//! - stdout carries a command's result: human text ([`Shell::print`]) or a
//!   JSON document ([`Shell::print_json`], [`Shell::print_with`]);
//! - stderr carries everything about the run: status lines
//!   ([`Shell::status`], hidden with `-q`), warnings, diagnostics rendered
//!   by the loader (miette), errors, and the progress bars and spinners
//!   ([`Shell::bar`], [`Shell::spinner`]: drawn only on a terminal and
//!   without `-q`; a line written to stderr lifts them out of the way);
//! - a closed stdout (`caisson ... | head`) is not a failure: the first
//!   broken pipe ends all further output on stdout, silently, and the
//!   command goes on to its own exit code;
//! - any other error writing stdout is a failure ([`Exit::Internal`]); an
//!   error writing stderr cannot be said on stderr, so it turns a success
//!   into [`Exit::Internal`] instead of vanishing;
//! - [`Shell::finish`] prints a command's [`Failure`] and gives the exit
//!   code, from the one [`Exit`] enum.
//!
//! Only this module touches the process's standard streams: clippy's
//! `disallowed_macros` and `disallowed_methods` (root `clippy.toml`) refuse
//! `print!`-style macros and `std::io::stdout`/`stderr` everywhere else.
#![allow(clippy::disallowed_methods)]

use std::fmt::Display;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::exit::{CmdResult, Exit, Failure};

/// The reporter: stdout, stderr and the progress display of one run.
pub struct Shell {
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    /// Whether stderr is a terminal (progress is drawn only there).
    err_is_terminal: bool,
    /// `-q`: no progress and no status lines.
    quiet: bool,
    /// The reader of stdout went away: stdout output is dropped from now on.
    out_closed: bool,
    /// The first error writing stderr (other than a closed pipe).
    err_failed: Option<io::Error>,
    /// The progress bars and spinners on stderr.
    progress: MultiProgress,
}

impl Shell {
    /// The shell of the process: its stdout and stderr.
    pub fn new() -> Self {
        let err_is_terminal = io::stderr().is_terminal();
        Self::with_streams(
            Box::new(io::stdout()),
            Box::new(io::stderr()),
            err_is_terminal,
        )
    }

    /// A shell over other streams (tests).
    fn with_streams(out: Box<dyn Write>, err: Box<dyn Write>, err_is_terminal: bool) -> Self {
        let mut shell = Shell {
            out,
            err,
            err_is_terminal,
            quiet: false,
            out_closed: false,
            err_failed: None,
            progress: MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
        };
        shell.set_quiet(false);
        shell
    }

    /// `-q`: hide progress bars, spinners and status lines (results,
    /// warnings and errors are still printed).
    pub fn set_quiet(&mut self, quiet: bool) {
        self.quiet = quiet;
        self.progress.set_draw_target(if self.shows_progress() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
    }

    fn shows_progress(&self) -> bool {
        !self.quiet && self.err_is_terminal
    }

    /// Whether stdout is a terminal (for colouring clap's help).
    fn out_is_terminal() -> bool {
        io::stdout().is_terminal()
    }

    // ----- stdout: the result -------------------------------------------

    /// Prints `text` on stdout as it is.
    pub fn print(&mut self, text: impl Display) -> Result<(), Failure> {
        self.print_with(|out| write!(out, "{text}"))
    }

    /// Prints `value` on stdout as pretty JSON and a newline.
    pub fn print_json(&mut self, value: &impl Serialize) -> Result<(), Failure> {
        self.print_with(|out| {
            serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
            writeln!(out)
        })
    }

    /// Lets `write` stream a result to stdout (buffered), e.g. a plan
    /// document written by the report crate.
    pub fn print_with(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), Failure> {
        if self.out_closed {
            return Ok(());
        }
        let written = {
            let mut buffered = BufWriter::new(&mut self.out);
            write(&mut buffered).and_then(|()| buffered.flush())
        };
        match written.and_then(|()| self.out.flush()) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.out_closed = true;
                Ok(())
            }
            Err(error) => Err(Failure::Internal(
                anyhow::Error::new(error).context("writing to stdout"),
            )),
        }
    }

    // ----- stderr: about the run ----------------------------------------

    /// A line about what the command is doing (hidden with `-q`).
    pub fn status(&mut self, line: impl Display) {
        if !self.quiet {
            self.err_line(format_args!("{line}"));
        }
    }

    /// A line about what the command wrote, e.g. an extra output file
    /// (shown even with `-q`: it is part of the result, said on stderr so
    /// that stdout stays the result proper).
    pub fn note(&mut self, line: impl Display) {
        self.err_line(format_args!("{line}"));
    }

    /// `warning: MESSAGE`.
    pub fn warn(&mut self, message: impl Display) {
        self.err_line(format_args!("warning: {message}"));
    }

    /// Text already rendered for a terminal (the loader's miette
    /// diagnostics, a child process's stderr), written as it is.
    pub fn diagnostics(&mut self, rendered: &str) {
        self.err_write(|err| err.write_all(rendered.as_bytes()));
    }

    fn err_line(&mut self, line: std::fmt::Arguments<'_>) {
        self.err_write(|err| writeln!(err, "{line}"));
    }

    /// Writes to stderr with the progress display lifted out of the way.
    fn err_write(&mut self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
        let err = &mut self.err;
        let written = self
            .progress
            .suspend(|| write(&mut *err).and_then(|()| err.flush()));
        if let Err(error) = written {
            if error.kind() != io::ErrorKind::BrokenPipe && self.err_failed.is_none() {
                self.err_failed = Some(error);
            }
        }
    }

    // ----- progress -----------------------------------------------------

    /// A progress bar over `total` plans described by `message`.
    pub fn bar(&self, total: usize, message: &str) -> ProgressBar {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} plans, {elapsed} (eta {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_owned());
        self.progress.add(bar)
    }

    /// A spinner with the elapsed time, for one step of unknown length (a
    /// solve). Finish it with `finish_and_clear`.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.shows_progress() {
            return ProgressBar::hidden();
        }
        let spinner = self.progress.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.set_message(message.to_owned());
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    }

    // ----- the end ------------------------------------------------------

    /// Prints what is left to say of a command's outcome and gives the
    /// process's exit code.
    pub fn finish(&mut self, result: CmdResult) -> Exit {
        let exit = match result {
            Ok(exit) => exit,
            Err(failure) => {
                if let Some(message) = failure.message() {
                    self.err_line(format_args!("{message}"));
                }
                failure.exit()
            }
        };
        let _ = self.progress.clear();
        match (exit, &self.err_failed) {
            (Exit::Success, Some(_)) => Exit::Internal,
            _ => exit,
        }
    }

    /// Prints clap's message for bad arguments, `--help` or `--version`
    /// (stdout for help and version, stderr for errors) and gives its exit
    /// code.
    pub fn clap_exit(&mut self, error: &clap::Error) -> Exit {
        let styled = error.render();
        let result = if error.use_stderr() {
            let text = if self.err_is_terminal {
                styled.ansi().to_string()
            } else {
                styled.to_string()
            };
            self.diagnostics(&text);
            Ok(Exit::Usage)
        } else {
            let text = if Self::out_is_terminal() {
                styled.ansi().to_string()
            } else {
                styled.to_string()
            };
            self.print(text).map(|()| Exit::Success)
        };
        let result = result.map(|exit| match error.exit_code() {
            0 => exit,
            _ => Exit::Usage,
        });
        self.finish(result)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// A stream that keeps what is written, or fails every write.
    #[derive(Clone, Default)]
    struct Stream {
        bytes: Rc<RefCell<Vec<u8>>>,
        fails_with: Option<io::ErrorKind>,
    }

    impl Stream {
        fn failing(kind: io::ErrorKind) -> Self {
            Stream {
                fails_with: Some(kind),
                ..Stream::default()
            }
        }

        fn text(&self) -> String {
            String::from_utf8_lossy(&self.bytes.borrow()).into_owned()
        }
    }

    impl Write for Stream {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match self.fails_with {
                Some(kind) => Err(io::Error::from(kind)),
                None => self.bytes.borrow_mut().write(buf),
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn shell(out: &Stream, err: &Stream) -> Shell {
        Shell::with_streams(Box::new(out.clone()), Box::new(err.clone()), false)
    }

    #[test]
    fn results_go_to_stdout_and_the_rest_to_stderr() {
        let (out, err) = (Stream::default(), Stream::default());
        let mut shell = shell(&out, &err);
        assert!(shell.print("table\n").is_ok());
        assert!(shell.print_json(&serde_json::json!({ "a": 1 })).is_ok());
        shell.status("planning");
        shell.warn("no uncertainty");
        shell.set_quiet(true);
        shell.status("hidden with -q");
        shell.note("wrote x.toml");
        let code = shell.finish(Err(Failure::InvalidInputMessage("bad gap".into())));
        assert_eq!(code, Exit::InvalidInput);
        assert_eq!(out.text(), "table\n{\n  \"a\": 1\n}\n");
        assert_eq!(
            err.text(),
            "planning\nwarning: no uncertainty\nwrote x.toml\nerror: bad gap\n"
        );
    }

    #[test]
    fn a_closed_stdout_is_a_silent_success() {
        let (out, err) = (
            Stream::failing(io::ErrorKind::BrokenPipe),
            Stream::default(),
        );
        let mut shell = shell(&out, &err);
        assert!(shell.print("first\n").is_ok());
        assert!(shell.print_json(&[1, 2, 3]).is_ok());
        assert_eq!(shell.finish(Ok(Exit::Success)), Exit::Success);
        assert_eq!(err.text(), "", "nothing is said of the closed pipe");
    }

    #[test]
    fn other_stdout_errors_are_failures() {
        let (out, err) = (
            Stream::failing(io::ErrorKind::StorageFull),
            Stream::default(),
        );
        let mut shell = shell(&out, &err);
        let result = shell.print("x").map(|()| Exit::Success);
        assert_eq!(shell.finish(result), Exit::Internal);
        assert!(
            err.text().starts_with("internal error: writing to stdout"),
            "{}",
            err.text()
        );
    }

    #[test]
    fn a_failing_stderr_turns_success_into_an_internal_failure() {
        let (out, err) = (
            Stream::default(),
            Stream::failing(io::ErrorKind::StorageFull),
        );
        let mut shell = shell(&out, &err);
        shell.warn("lost");
        assert_eq!(shell.finish(Ok(Exit::Success)), Exit::Internal);
    }

    #[test]
    fn progress_is_hidden_off_a_terminal() {
        let (out, err) = (Stream::default(), Stream::default());
        let shell = shell(&out, &err);
        assert!(shell.bar(3, "planning").is_hidden());
        assert!(shell.spinner("solving").is_hidden());
    }
}
