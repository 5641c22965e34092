//! The `rulebook` command: parse the command line, run it, exit with its
//! code (0 ok, 1 the input or the question says no, 2 usage or unreadable
//! input). Everything it does lives in the library (`rulebook::cli`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    rulebook::cli::run(rulebook::cli::Cli::parse())
}
