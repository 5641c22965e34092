//! `rulebook serve`: the writers' live preview. Builds once, serves the output
//! folder over HTTP (loopback by default), rebuilds when the sources change and
//! makes open pages reload when a new build is in.
//!
//! Dependency-light on purpose: a small HTTP/1.1 server on std's `TcpListener`
//! with one thread per connection ([`http`]) and a polling watcher ([`watch`]).
//! Only files under the output folder are ever served, never its dot files
//! and folders (the build cache `.rulebook/`); the live-reload script is added
//! to HTML responses at serve time, never to the files on disk. Only requests
//! whose `Host` names this server are answered ([`host`]).
//!
//! No kind of slow or idle client can lock the others out, because each phase
//! of a connection has its own bound: a connection still sending its request
//! head has a total deadline (trickling bytes does not extend it) and a place
//! among [`MAX_PENDING`]; a request being answered has a total write deadline
//! and a place among [`MAX_ANSWERING`]; when either is full, the connections
//! that have been in it longest are closed to make room for a newcomer (see
//! [`Room`]). A live-reload long poll sends and reads nothing while it waits,
//! so it is not counted among either: it has one of [`MAX_POLLS`] places of
//! its own, and a page beyond them is answered 503 at once and polls again a
//! second later.

mod host;
mod http;
mod watch;

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::diag::Diagnostics;
use crate::emit::{self, BuildOptions, BuildOutput};

/// Where the live-reload endpoint and anything else of the server lives; no
/// file of the site is served under it.
pub(crate) const RESERVED_PREFIX: &str = "/__rulebook/";

/// What to build, where to listen, how often to look for changes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Project root (book.toml, content/, locales/, templates/).
    pub root: PathBuf,
    /// Output folder: built into, and the only folder served.
    pub out: PathBuf,
    /// Address to listen on; loopback unless asked otherwise.
    pub bind: IpAddr,
    /// The name `bind` was given as (`--bind NAME`): answered in `Host`
    /// besides the loopback names. See [`host`] for what is answered.
    pub host: Option<String>,
    /// Port; 0 picks a free one (see [`Server::addr`]).
    pub port: u16,
    /// How each build runs (locales, progress); the server adds a session when
    /// it has none.
    pub build: BuildOptions,
    /// How often the sources are looked at.
    pub poll_interval: Duration,
    /// How long the sources must stay unchanged before a rebuild, so that an
    /// editor's save (or a `git checkout`) makes one build, not several.
    pub debounce: Duration,
    /// How long a client has, from connecting, to send its whole request
    /// head. A total, not a per-read timeout, so that trickling a byte at a
    /// time cannot hold a connection open.
    pub head_deadline: Duration,
    /// How long writing one response may take in all.
    pub write_deadline: Duration,
}

impl ServeOptions {
    /// Defaults of `rulebook serve`: `ROOT/book` on 127.0.0.1:3000.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        ServeOptions {
            out: root.join("book"),
            root,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            host: None,
            port: 3000,
            build: BuildOptions::default(),
            poll_interval: Duration::from_millis(100),
            debounce: Duration::from_millis(200),
            head_deadline: Duration::from_secs(5),
            write_deadline: Duration::from_secs(15),
        }
    }
}

/// What the server tells its caller, who decides how to show it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// Listening; the initial build has been tried.
    Listening {
        /// The address served, `http://<address>:<port>/`.
        url: &'a str,
    },
    /// Sources changed (paths relative to the root); a rebuild follows.
    Changed {
        /// The files added, removed or changed, sorted.
        paths: &'a [PathBuf],
    },
    /// A build succeeded and is being served as `version`.
    Built {
        /// The build's version (`<run>-<n>`): open pages reload when it
        /// changes.
        version: &'a str,
        /// What the build wrote and reported.
        output: &'a BuildOutput,
        /// How long the build took.
        elapsed: Duration,
    },
    /// A build failed; the previous output is still served.
    BuildFailed {
        /// Why it failed.
        diagnostics: &'a Diagnostics,
        /// How long the failed build took.
        elapsed: Duration,
    },
}

type Reporter = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

/// State shared by the acceptor, the connections and the watcher.
struct Shared {
    out: PathBuf,
    /// Differs between runs, so a page left open across a restart reloads.
    run_token: String,
    /// Successful builds so far; the served version is `run_token-builds`.
    builds: Mutex<u64>,
    new_build: Condvar,
    stop: AtomicBool,
    /// The `Host` values answered.
    hosts: host::Allowed,
    /// The port listened on, for the help texts.
    port: u16,
    head_deadline: Duration,
    write_deadline: Duration,
    /// Connections still sending their request head.
    pending: Room,
    /// Requests being answered, long polls not included.
    answering: Room,
    /// Long polls waiting for a build.
    polls: AtomicUsize,
}

/// The open connections in one phase, `max` of them normally. When a
/// connection enters a full room, those that have been in it longest are
/// closed to make room, once they have been there [`EVICTABLE_AFTER`]: they
/// had time to send their head (or read their response), so they are the
/// slow or hostile ones, and the newcomer is most likely a browser that
/// sends its request at once and reads the answer as it comes. Younger ones
/// are kept (a burst of connections, accepted faster than their threads get
/// to read, is not mistaken for stalled ones) until the room holds
/// [`ROOM_HARD_CAP`] times `max`. This way no number of trickling, idle or
/// non-reading connections keeps a new client out, and the threads and
/// sockets held stay bounded.
struct Room {
    max: usize,
    state: Mutex<RoomState>,
}

#[derive(Default)]
struct RoomState {
    next_id: u64,
    /// Each connection in the room, oldest first, to close it when it has
    /// to make room (shared with its thread: no extra file descriptor), and
    /// when it entered.
    open: VecDeque<(u64, Arc<TcpStream>, Instant)>,
}

impl Room {
    fn new(max: usize) -> Room {
        Room {
            max,
            state: Mutex::new(RoomState::default()),
        }
    }

    /// Enter `stream`, closing the oldest connections beyond the cap.
    fn enter(&self, stream: &Arc<TcpStream>) -> u64 {
        self.enter_at(stream, Instant::now())
    }

    fn enter_at(&self, stream: &Arc<TcpStream>, now: Instant) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some((_, _, entered)) = state.open.front() {
            let full = state.open.len() >= self.max;
            let old = now.duration_since(*entered) >= EVICTABLE_AFTER;
            // At the hard cap even young ones go: a flood of connections
            // must not turn the newcomer away either.
            let flooded = state.open.len() >= self.max * ROOM_HARD_CAP;
            if !(full && old || flooded) {
                break;
            }
            if let Some((_, oldest, _)) = state.open.pop_front() {
                // Its blocked read or write returns at once; its thread ends.
                let _ = oldest.shutdown(Shutdown::Both);
            }
        }
        let id = state.next_id;
        state.next_id += 1;
        state.open.push_back((id, Arc::clone(stream), now));
        id
    }

    /// The place of a connection that entered as `id`, left when dropped.
    fn place(&self, id: u64) -> Place<'_> {
        Place { room: self, id }
    }

    fn leave(&self, id: u64) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = state.open.iter().position(|(open, _, _)| *open == id) {
            state.open.remove(at);
        }
    }
}

/// A connection's place in a [`Room`].
pub(crate) struct Place<'a> {
    room: &'a Room,
    id: u64,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.room.leave(self.id);
    }
}

impl Shared {
    fn version(&self) -> String {
        let builds = *self.builds.lock().unwrap_or_else(PoisonError::into_inner);
        format!("{}-{builds}", self.run_token)
    }

    fn bump(&self) -> String {
        let mut builds = self.builds.lock().unwrap_or_else(PoisonError::into_inner);
        *builds += 1;
        self.new_build.notify_all();
        format!("{}-{}", self.run_token, *builds)
    }

    /// The version, once it differs from `seen` or `timeout` has passed.
    fn wait_for_version_other_than(&self, seen: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut builds = self.builds.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let version = format!("{}-{}", self.run_token, *builds);
            let now = Instant::now();
            if version != seen || now >= deadline || self.stopped() {
                return version;
            }
            builds = self
                .new_build
                .wait_timeout(builds, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// One of the [`MAX_POLLS`] long-poll places, if one is free. Polls are
    /// refused rather than closed to make room: a poll sends nothing while it
    /// waits, so the oldest is not the slow one, just the first tab opened.
    fn take_poll(&self) -> Option<Slot<'_>> {
        if self.polls.fetch_add(1, Ordering::SeqCst) >= MAX_POLLS {
            self.polls.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(&self.polls))
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleep up to `duration`; false when the server is stopping.
    fn pause(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        while !self.stopped() {
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(25)));
        }
        false
    }
}

/// A running preview server; stopped by [`Server::stop`] or when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// The address listened on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The folder being served.
    pub fn out(&self) -> &Path {
        &self.shared.out
    }

    /// The version of the site being served; changes with every successful build.
    pub fn version(&self) -> String {
        self.shared.version()
    }

    /// Block until the server stops (it does not stop by itself).
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stop accepting and watching, and wait for both to end. Connections
    /// already open finish on their own (their reads and writes time out).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.new_build.notify_all();
        // Wake the acceptor blocked in accept().
        let wake = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, self.addr.port()).into(),
            IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, self.addr.port()).into(),
            _ => self.addr,
        };
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.shutdown();
        }
    }
}

/// Listen, build once, then serve and watch in background threads. A failed
/// initial build is reported and the server runs anyway, so that fixing the
/// sources brings the site up. Errors only when the address cannot be bound.
pub fn start(
    options: ServeOptions,
    report: impl Fn(&Event<'_>) + Send + Sync + 'static,
) -> io::Result<Server> {
    let report: Reporter = Arc::new(report);
    // one session for all the builds: each keeps the compiled locale data
    // and the cache it wrote for the next
    let mut options = options;
    options
        .build
        .session
        .get_or_insert_with(|| Arc::new(emit::Session::default()));
    let listener = TcpListener::bind((options.bind, options.port))?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        out: options.out.clone(),
        run_token: run_token(),
        builds: Mutex::new(0),
        new_build: Condvar::new(),
        stop: AtomicBool::new(false),
        hosts: host::Allowed::new(options.bind, options.host.as_deref()),
        port: addr.port(),
        head_deadline: options.head_deadline,
        write_deadline: options.write_deadline,
        pending: Room::new(MAX_PENDING),
        answering: Room::new(MAX_ANSWERING),
        polls: AtomicUsize::new(0),
    });
    // The watcher's first look comes before the build, so an edit made while
    // it runs is not missed.
    let seen = watch::snapshot(&options.root, &options.out);
    rebuild(&shared, &options, &report);

    let acceptor = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("rulebook-serve-accept".into())
            .spawn(move || accept_loop(&listener, &shared))?
    };
    let watcher = {
        let shared = Arc::clone(&shared);
        let report = Arc::clone(&report);
        let options = options.clone();
        std::thread::Builder::new()
            .name("rulebook-serve-watch".into())
            .spawn(move || watch_loop(&shared, &options, &report, seen))?
    };
    let server = Server {
        addr,
        shared,
        threads: vec![acceptor, watcher],
    };
    report(&Event::Listening { url: &server.url() });
    Ok(server)
}

/// [`start`], then serve until the process ends.
pub fn run(
    options: ServeOptions,
    report: impl Fn(&Event<'_>) + Send + Sync + 'static,
) -> io::Result<()> {
    start(options, report)?.wait();
    Ok(())
}

/// Connections still sending their request head; a new one beyond this
/// closes the oldest (see [`Room`]). Each costs a parked thread for at most
/// the head deadline.
pub const MAX_PENDING: usize = 128;
/// Requests answered at once, long polls not included; a new one beyond
/// this closes the oldest (see [`Room`]).
pub(crate) const MAX_ANSWERING: usize = 64;
/// How long a connection must have been in a full [`Room`] before a
/// newcomer may close it.
pub const EVICTABLE_AFTER: Duration = Duration::from_secs(1);
/// How many times its `max` a room holds when none of its connections is
/// old enough to close. With the long polls that makes at most 512
/// connections and 128 files open at once: within the common limit of 1024
/// file descriptors.
const ROOM_HARD_CAP: usize = 2;
/// Live-reload long polls waiting at once (one per open page); a page beyond
/// them gets 503 at once and polls again a second later.
pub const MAX_POLLS: usize = 128;

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopped() {
            break;
        }
        let Ok(stream) = stream else {
            // Out of file descriptors and the like: wait rather than spin.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let accepted = Instant::now();
        // Entered here, before its thread runs: a burst is accepted faster
        // than threads start, and the room must see all of it.
        let stream = Arc::new(stream);
        let id = shared.pending.enter(&stream);
        let conn_shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("rulebook-serve-conn".into())
            .spawn(move || {
                // Leaves the room even if handling panics.
                let place = conn_shared.pending.place(id);
                http::handle(stream, &conn_shared, place, accepted);
            });
        if spawned.is_err() {
            shared.pending.leave(id);
        }
    }
}

/// One of a bounded number of places, counted down when dropped.
pub(crate) struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// If sources keep changing for this long, build anyway.
const MAX_SETTLE: Duration = Duration::from_secs(2);

fn watch_loop(
    shared: &Shared,
    options: &ServeOptions,
    report: &Reporter,
    mut seen: watch::Snapshot,
) {
    while shared.pause(options.poll_interval) {
        let now = watch::snapshot(&options.root, &options.out);
        if !now.differs_from(&seen) {
            continue;
        }
        // Debounce: wait until nothing changed for `debounce`.
        let started = Instant::now();
        let mut settled = now;
        loop {
            if !shared.pause(options.debounce) {
                return;
            }
            let next = watch::snapshot(&options.root, &options.out);
            let quiet = !next.differs_from(&settled);
            settled = next;
            if quiet || started.elapsed() >= MAX_SETTLE {
                break;
            }
        }
        let paths = watch::changed(&seen, &settled);
        seen = settled;
        report(&Event::Changed { paths: &paths });
        rebuild(shared, options, report);
    }
}

fn rebuild(shared: &Shared, options: &ServeOptions, report: &Reporter) {
    let started = Instant::now();
    match emit::build(&options.root, &options.out, &options.build) {
        Ok(output) => {
            let version = shared.bump();
            report(&Event::Built {
                version: &version,
                output: &output,
                elapsed: started.elapsed(),
            });
        }
        Err(diagnostics) => report(&Event::BuildFailed {
            diagnostics: &diagnostics,
            elapsed: started.elapsed(),
        }),
    }
}

fn run_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos & 0xffff_ffff_ffff, std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Connected pairs over loopback: (the server's end, the client's end).
    fn pairs(n: usize) -> Vec<(Arc<TcpStream>, TcpStream)> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        (0..n)
            .map(|_| {
                let client = TcpStream::connect(addr).unwrap();
                let (server, _) = listener.accept().unwrap();
                client
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                (Arc::new(server), client)
            })
            .collect()
    }

    fn closed(client: &TcpStream) -> bool {
        let mut byte = [0u8; 1];
        matches!((&*client).read(&mut byte), Ok(0))
    }

    #[test]
    fn a_full_room_closes_its_oldest_connections_once_they_are_old_enough() {
        let room = Room::new(2);
        let conns = pairs(5);
        let t0 = Instant::now();
        let a = room.enter_at(&conns[0].0, t0);
        room.enter_at(&conns[1].0, t0);
        // Full, but nobody has been there a second: a burst, not stalled
        // clients, so the newcomer is let in over the cap.
        room.enter_at(&conns[2].0, t0 + Duration::from_millis(500));
        assert_eq!(room.state.lock().unwrap().open.len(), 3);
        // A second later the two oldest go, the one of the burst stays.
        let later = t0 + EVICTABLE_AFTER + Duration::from_millis(100);
        room.enter_at(&conns[3].0, later);
        let open = open_ids(&room);
        assert_eq!(open.len(), 2);
        assert!(!open.contains(&a));
        assert!(
            closed(&conns[0].1) && closed(&conns[1].1),
            "the evicted are shut down"
        );
        // Leaving frees a place; the one left behind is still connected.
        room.leave(open[0]);
        room.enter_at(&conns[4].0, later);
        assert_eq!(room.state.lock().unwrap().open.len(), 2);
        conns[3].1.set_nonblocking(true).unwrap();
        assert!(
            matches!((&conns[3].1).read(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock),
            "a connection that was not evicted stays open"
        );
    }

    /// The ids of the connections in a room, oldest first.
    fn open_ids(room: &Room) -> Vec<u64> {
        room.state
            .lock()
            .unwrap()
            .open
            .iter()
            .map(|e| e.0)
            .collect()
    }

    #[test]
    fn a_flood_of_young_connections_closes_the_oldest_at_the_hard_cap() {
        let room = Room::new(2);
        let cap = 2 * ROOM_HARD_CAP;
        let conns = pairs(cap + 1);
        let now = Instant::now();
        for (server, _) in &conns[..cap] {
            room.enter_at(server, now);
        }
        assert_eq!(room.state.lock().unwrap().open.len(), cap);
        let newcomer = room.enter_at(&conns[cap].0, now);
        let open = open_ids(&room);
        assert_eq!(open.len(), cap);
        assert_eq!(open.last(), Some(&newcomer), "the newcomer is in");
        assert!(!open.contains(&0), "the oldest made room");
        assert!(closed(&conns[0].1));
    }
}
