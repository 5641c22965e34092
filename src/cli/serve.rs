//! `rulebook serve`: turns arguments into [`crate::serve::ServeOptions`] and
//! prints what the server reports. The serving is all in `crate::serve`.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use super::{Cli, EXIT_USAGE, report};
use crate::diag::Diagnostic;
use crate::serve::{Event, ServeOptions};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000, value_name = "N")]
    pub port: u16,
    /// Address to listen on. Anything but loopback shows the preview to
    /// other machines.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// Output folder, built into and served.
    #[arg(long, default_value = "book", value_name = "DIR")]
    pub out: PathBuf,
    /// Build only these locales (repeatable).
    #[arg(long = "locale", value_name = "L")]
    pub locales: Vec<String>,
}

pub(super) fn run(cli: &Cli, args: &ServeArgs) -> u8 {
    let mut options = ServeOptions::new(&cli.root);
    let Some(out) = super::output_folder(cli, &args.out) else {
        return EXIT_USAGE;
    };
    options.out = out;
    options.bind = args.bind;
    options.port = args.port;
    options.build.locales = args.locales.clone();
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: the preview is reachable from other machines",
            args.bind
        );
    }
    let out = options.out.display().to_string();
    let quiet = cli.quiet;
    let served = crate::serve::run(options, move |event| print_event(event, &out, quiet));
    match served {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            report(
                &Diagnostic::error(
                    "unlistenable",
                    format!("cannot listen on {}:{}: {e}", args.bind, args.port),
                )
                .with_help("choose another --port (0 picks a free one) or --bind address")
                .into(),
                false,
            );
            EXIT_USAGE
        }
    }
}

fn print_event(event: &Event<'_>, out: &str, quiet: bool) {
    match event {
        Event::Listening { url } => {
            // On stdout, the URL last on the line, for scripts to pick up.
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "serving {out} at {url}");
            let _ = stdout.flush();
        }
        Event::Changed { paths } if !quiet => {
            let shown: Vec<String> = paths
                .iter()
                .take(3)
                .map(|p| p.display().to_string())
                .collect();
            let more = paths.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            eprintln!("changed: {}{more}; rebuilding", shown.join(", "));
        }
        Event::Built {
            version,
            output,
            elapsed,
        } => {
            report(&output.diagnostics, quiet);
            if !quiet {
                eprintln!(
                    "built {version} in {} ms ({} rules, {} discrepancies)",
                    elapsed.as_millis(),
                    output.counts.rules,
                    output.counts.discrepancies
                );
            }
        }
        Event::BuildFailed { diagnostics, .. } => {
            report(diagnostics, false);
            eprintln!("build failed; the site served stays as it was until a build succeeds");
        }
        _ => {}
    }
}
