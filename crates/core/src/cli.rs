//! The part of every tool's `run` that is the same: parse the command line,
//! turn a parse error into exit 2 (help and version into exit 0), run the
//! command, and print a [`Failure`] with the exit code it carries.

use std::ffi::OsString;

use crate::exit::{ExitCode, Failure};

/// Parse `args` into `C` and hand it to `body`.
pub fn run_parsed<C, I, T>(
    tool: &str,
    args: I,
    body: impl FnOnce(C) -> Result<ExitCode, Failure>,
) -> ExitCode
where
    C: clap::Parser,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = match C::try_parse_from(args) {
        Ok(parsed) => parsed,
        Err(error) => {
            // `--help` and `--version` arrive as "errors" printed to stdout.
            let code = if error.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Pass
            };
            let _ = error.print();
            return code;
        }
    };
    match body(parsed) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{tool}: error: {failure}");
            failure.code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, clap::Parser)]
    struct Demo {
        #[arg(long)]
        fail: Option<u8>,
    }

    fn run(args: &[&str]) -> ExitCode {
        run_parsed::<Demo, _, _>("demo", args.iter().copied(), |demo| match demo.fail {
            None => Ok(ExitCode::Pass),
            Some(1) => Ok(ExitCode::Deny),
            Some(_) => Err(Failure::infra("boom")),
        })
    }

    #[test]
    fn maps_parse_errors_help_and_failures() {
        assert_eq!(run(&["demo"]), ExitCode::Pass);
        assert_eq!(run(&["demo", "--fail", "1"]), ExitCode::Deny);
        assert_eq!(run(&["demo", "--fail", "3"]), ExitCode::Infra);
        assert_eq!(run(&["demo", "--bogus"]), ExitCode::Usage);
        assert_eq!(run(&["demo", "--help"]), ExitCode::Pass);
    }
}
