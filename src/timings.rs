//! Wall time of a build's phases, printed to stderr when the environment
//! variable `RULEBOOK_TIMINGS` is set (to anything but empty or `0`). It is
//! for finding where a slow build spends its time, like `cargo --timings`;
//! it never changes what a build writes.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var_os("RULEBOOK_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
    })
}

/// When the first phase started: each phase is printed with its start
/// relative to it, so that phases on other threads can be laid out on one
/// timeline.
fn origin() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// A phase being timed: its time is printed when it is dropped.
pub(crate) struct Phase {
    name: String,
    start: Instant,
}

/// Starts timing `name`; `None` (and no cost beyond one check) when
/// timings are off. The name is only built when they are on.
pub(crate) fn phase(name: impl FnOnce() -> String) -> Option<Phase> {
    enabled().then(|| {
        origin();
        Phase {
            name: name(),
            start: Instant::now(),
        }
    })
}

impl Drop for Phase {
    fn drop(&mut self) {
        let ms = self.start.elapsed().as_secs_f64() * 1000.0;
        let at = self.start.duration_since(origin()).as_secs_f64() * 1000.0;
        eprintln!("timing: {:>9.1} ms  at {:>7.1} ms  {}", ms, at, self.name);
    }
}
