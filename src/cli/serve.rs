//! `rulebook serve`: turns arguments into [`crate::serve::ServeOptions`] and
//! prints what the server reports. The serving is all in `crate::serve`.

use std::fmt;
use std::io::Write;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::PathBuf;

use super::{Cli, CommandResult, Outcome, report};
use crate::diag::{Diagnostic, Location};
use crate::serve::{Event, ServeOptions};

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000, value_name = "N")]
    pub port: u16,
    /// Address or host name to listen on. Requests are answered only when
    /// their `Host` is localhost, a loopback address, or this (a wildcard
    /// address such as 0.0.0.0 answers any IP address, but no other name).
    /// Anything but loopback shows the preview to other machines.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR|NAME", value_parser = parse_bind)]
    pub bind: Bind,
    /// Output folder, built into and served.
    #[arg(long, default_value = "book", value_name = "DIR")]
    pub out: PathBuf,
    /// Build only these locales (repeatable).
    #[arg(long = "locale", value_name = "L")]
    pub locales: Vec<String>,
}

/// What `--bind` was given: an address, or a name to resolve (and to answer
/// in `Host`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Ip(IpAddr),
    Name(String),
}

impl fmt::Display for Bind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bind::Ip(ip) => ip.fmt(f),
            Bind::Name(name) => f.write_str(name),
        }
    }
}

fn parse_bind(value: &str) -> Result<Bind, String> {
    let unbracketed = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(Bind::Ip(ip));
    }
    // A DNS name: what a `Host` header can carry and be compared with.
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if value.len() <= 253 && value.split('.').all(label_ok) {
        return Ok(Bind::Name(value.to_ascii_lowercase()));
    }
    Err(format!(
        "`{value}` is neither an IP address nor a host name (letters, digits, `-` and `.`)"
    ))
}

/// The address a `--bind` name resolves to (the first the resolver gives).
fn resolve(name: &str, port: u16) -> Result<IpAddr, String> {
    let mut addrs = (name, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve --bind {name}: {e}"))?;
    addrs
        .next()
        .map(|a| a.ip())
        .ok_or_else(|| format!("--bind {name} resolves to no address"))
}

pub(super) fn run(cli: &Cli, args: &ServeArgs) -> CommandResult {
    let mut options = ServeOptions::new(&cli.root);
    options.out = super::output_folder(cli, &args.out)?;
    // A `--locale` the project lacks is a mistake of the command line, which
    // no save can fix: refused before listening, as `build` refuses it. A
    // project that does not load is left to the first build, whose errors
    // serve prints and then waits for the fix.
    if !args.locales.is_empty()
        && let Ok(project) = crate::load::load_project(&cli.root)
    {
        super::known_locales(&project, &args.locales)?;
    }
    let bind = match &args.bind {
        Bind::Ip(ip) => *ip,
        Bind::Name(name) => resolve(name, args.port).map_err(|message| {
            Diagnostic::error("unlistenable", message)
                .at(Location::file("--bind"))
                .with_help(
                    "give an address (e.g. --bind 127.0.0.1) or a name this machine resolves",
                )
        })?,
    };
    options.bind = bind;
    if let Bind::Name(name) = &args.bind {
        options.host = Some(name.clone());
    }
    options.port = args.port;
    options.build.locales = args.locales.clone();
    if !bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: the preview is reachable from other machines",
            args.bind
        );
    }
    let out = options.out.display().to_string();
    let quiet = cli.quiet;
    let served = crate::serve::run(options, move |event| print_event(event, &out, quiet));
    served.map_err(|e| {
        Diagnostic::error(
            "unlistenable",
            format!("cannot listen on {}:{}: {e}", args.bind, args.port),
        )
        .with_help("choose another --port (0 picks a free one) or --bind address")
    })?;
    Ok(Outcome::Done)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_takes_an_address_or_a_host_name() {
        assert_eq!(
            parse_bind("0.0.0.0"),
            Ok(Bind::Ip("0.0.0.0".parse().unwrap()))
        );
        assert_eq!(parse_bind("::1"), Ok(Bind::Ip("::1".parse().unwrap())));
        assert_eq!(parse_bind("[::1]"), Ok(Bind::Ip("::1".parse().unwrap())));
        assert_eq!(
            parse_bind("Preview.LAN"),
            Ok(Bind::Name("preview.lan".into()))
        );
        for bad in ["", "a b", "evil.com:80", "-x.lan", "a..b", "x/y", "[::1"] {
            assert!(parse_bind(bad).is_err(), "{bad:?}");
        }
    }
}
