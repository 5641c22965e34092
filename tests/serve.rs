//! `rulebook serve`: files and content types, paths that try to leave the
//! output folder or reach its dot folders, `Host` headers of other sites
//! (DNS rebinding), slow, idle and waiting clients that must not lock others
//! out, bad requests, rebuilds on edit and the live-reload version.
//! Everything runs on loopback against a temp copy of the project, with
//! bounded loops and timeouts (hang guards, never timing asserts).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use rulebook::serve::{self, Event, ServeOptions};

const SECRET: &str = "SECRET-OUTSIDE-THE-BOOK";

/// A copy of the project, plus a file beside the output that must never be
/// served.
fn temp_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for folder in ["content", "locales", "templates"] {
        if root().join(folder).is_dir() {
            copy_tree(&root().join(folder), &dir.path().join(folder));
        }
    }
    std::fs::copy(root().join("book.toml"), dir.path().join("book.toml")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), SECRET).unwrap();
    dir
}

/// Start the library server on a free loopback port.
fn start(project: &Path) -> serve::Server {
    start_with(project, |_| {})
}

fn start_with(project: &Path, configure: impl FnOnce(&mut ServeOptions)) -> serve::Server {
    let mut options = ServeOptions::new(project);
    options.port = 0;
    configure(&mut options);
    let server = serve::start(options, |_: &Event<'_>| {}).unwrap();
    assert!(
        server.version().ends_with("-1"),
        "the initial build succeeds"
    );
    server
}

struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send raw bytes, read the whole reply (the server closes every connection).
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // An oversized request may be cut off by the server's answer.
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let end = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no reply head in {:?}", String::from_utf8_lossy(&reply)));
    let head = String::from_utf8(reply[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: reply[end + 4..].to_vec(),
    }
}

/// A GET with the given `Host` header.
fn get_as(addr: SocketAddr, host: &str, target: &str) -> Reply {
    raw(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
    )
}

fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    raw(
        addr,
        format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
    )
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

fn version(addr: SocketAddr) -> String {
    get(addr, "/__rulebook/version").text().trim().to_owned()
}

#[test]
fn serves_files_with_their_content_types_and_injects_reload_only_when_serving() {
    let project = temp_project();
    let server = start(project.path());
    let addr = server.addr();
    let out = project.path().join("book");
    // The site pages are not emitted yet (issue 7): stand-ins of each kind.
    let index = "<!DOCTYPE html><html><body><h1>Languages</h1></body></html>\n";
    std::fs::write(out.join("index.html"), index).unwrap();
    std::fs::create_dir_all(out.join("en/nested")).unwrap();
    std::fs::write(out.join("en/index.html"), "<body>en home</body>").unwrap();
    std::fs::write(out.join("en/nested/page.html"), "<body>nested</body>").unwrap();
    std::fs::write(out.join("en/nested/site.css"), "body{}").unwrap();
    std::fs::write(out.join("en/nested/logo.svg"), "<svg/>").unwrap();
    std::fs::write(out.join("en/nested/font.woff2"), b"wOF2\0\x01").unwrap();

    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    let html = home.text();
    assert!(html.starts_with("<!DOCTYPE html><html><body><h1>Languages</h1><script>"));
    assert!(html.contains("/__rulebook/version?since="));
    assert!(html.contains(&server.version()));
    assert!(html.ends_with("</script>\n</body></html>\n"));
    assert_eq!(home.header("content-length"), html.len().to_string());
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        index,
        "the file on disk is untouched"
    );

    let page = get(addr, "/en/nested/page.html");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert!(page.text().starts_with("<body>nested<script>"));

    let folder = get(addr, "/en?x=1");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), "/en/?x=1");
    assert!(
        get(addr, "/en/")
            .text()
            .starts_with("<body>en home<script>")
    );

    for (target, content_type) in [
        ("/en/nested/site.css", "text/css; charset=utf-8"),
        ("/en/nested/logo.svg", "image/svg+xml"),
        ("/en/nested/font.woff2", "font/woff2"),
        ("/rules.json", "application/json"),
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("content-type"), content_type, "{target}");
        let on_disk = std::fs::read(out.join(&target[1..])).unwrap();
        assert_eq!(reply.body, on_disk, "{target} is served byte for byte");
    }

    let head = request(addr, "HEAD", "/rules.json");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), "application/json");
    let len = std::fs::metadata(out.join("rules.json")).unwrap().len();
    assert_eq!(head.header("content-length"), len.to_string());
    assert!(head.body.is_empty());

    assert_eq!(request(addr, "POST", "/rules.json").status, 405);
    assert_eq!(get(addr, "/missing.html").status, 404);
    assert_eq!(get(addr, "/__rulebook/other").status, 404);
    server.stop();
}

#[test]
fn never_serves_a_file_outside_the_output_folder() {
    let project = temp_project();
    let server = start(project.path());
    let addr = server.addr();
    let out = project.path().join("book");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(project.path().join("Cargo.toml"), out.join("link.txt"))
            .unwrap();
        std::os::unix::fs::symlink(project.path(), out.join("up")).unwrap();
        std::fs::write(project.path().join("index.html"), SECRET).unwrap();
        // A link that stays inside is fine.
        std::os::unix::fs::symlink(out.join("rules.json"), out.join("inner.json")).unwrap();
        assert_eq!(get(addr, "/inner.json").status, 200);
    }
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E%2FCargo.toml",
        "/..%2fCargo.toml",
        "/..%5cCargo.toml",
        "/en/../../Cargo.toml",
        "/%2F..%2FCargo.toml",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/rules.json%00.html",
        "/link.txt",
        "/up/Cargo.toml",
        "/up/",
        "/up",
        "http://localhost/../Cargo.toml",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 404, "{target}");
        let body = reply.text();
        assert!(!body.contains(SECRET), "{target} leaked the file");
        assert!(!body.contains("root:"), "{target} leaked /etc/passwd");
    }
    assert_eq!(get(addr, "/rules.json").status, 200, "still serving");
    server.stop();
}

#[test]
fn a_bad_request_never_stops_the_server() {
    let project = temp_project();
    let server = start(project.path());
    let addr = server.addr();

    assert_eq!(raw(addr, b"garbage\r\n\r\n").status, 400);
    assert_eq!(raw(addr, b"GET / HTTP/2\r\n\r\n").status, 400);
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
    assert_eq!(raw(addr, huge.as_bytes()).status, 431);
    // A client that connects and leaves, and one that stops mid-request.
    drop(TcpStream::connect(addr).unwrap());
    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(b"GET /rules.js").unwrap();
    drop(half);

    assert_eq!(get(addr, "/rules.json").status, 200);
    server.stop();
}

#[test]
fn binds_loopback_by_default() {
    let options = ServeOptions::new("somewhere");
    assert_eq!(options.bind, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(options.port, 3000);
    assert_eq!(options.out, Path::new("somewhere/book"));
    let project = temp_project();
    let server = start(project.path());
    assert_eq!(server.addr().ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_ne!(server.addr().port(), 0);
    assert_eq!(server.url(), format!("http://{}/", server.addr()));
    server.stop();
}

/// `rulebook serve --port 0` running in the background, its output read by
/// threads; killed when dropped.
struct Running {
    child: Child,
    addr: SocketAddr,
    stderr: mpsc::Receiver<String>,
}

impl Running {
    fn start(project: &Path) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
            .arg("--root")
            .arg(project)
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let (urls, url) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = urls.send(line);
            }
        });
        let line = url
            .recv_timeout(Duration::from_secs(60))
            .expect("serve prints its URL");
        let url = line.rsplit(' ').next().unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "loopback by default: {line}"
        );
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Running {
            child,
            addr,
            stderr,
        }
    }

    /// The first stderr line that satisfies `wanted`, within `timeout`.
    fn stderr_line(&self, timeout: Duration, wanted: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if wanted(&line) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll the version endpoint until it differs from `old`.
fn wait_for_new_version(addr: SocketAddr, old: &str, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let now = version(addr);
        if now != old {
            return Some(now);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn an_edit_rebuilds_and_a_broken_edit_keeps_the_old_site() {
    let project = temp_project();
    let article = project.path().join(EN);
    let server = Running::start(project.path());
    let addr = server.addr;
    let first = version(addr);
    assert!(!first.is_empty());

    // A page waiting on the long poll hears of the next build.
    let waiting = std::thread::spawn({
        let first = first.clone();
        move || get(addr, &format!("/__rulebook/version?since={first}")).text()
    });
    let text = read(&article);
    std::fs::write(&article, format!("{text}\nOne more paragraph.\n")).unwrap();
    let second = wait_for_new_version(addr, &first, Duration::from_secs(30))
        .expect("an edit makes a new build");
    assert_eq!(waiting.join().unwrap().trim(), second);
    let rules = get(addr, "/rules.json");
    assert_eq!(rules.status, 200);

    // A market name nobody knows: the build fails, located, and the old site stays.
    std::fs::write(&article, text.replace("> * Argentina", "> * Atlantis")).unwrap();
    let diagnostic = server
        .stderr_line(Duration::from_secs(30), |l| {
            l.contains("error[unknown-market]")
        })
        .expect("the failed build is reported");
    assert!(
        diagnostic.starts_with(&format!("{EN}:24:5: error[unknown-market]: `Atlantis`")),
        "{diagnostic}"
    );
    server
        .stderr_line(Duration::from_secs(10), |l| l.contains("stays as it was"))
        .expect("says the previous site is kept");
    assert_eq!(version(addr), second, "a failed build is not a new version");
    let still = get(addr, "/rules.json");
    assert_eq!(still.status, 200);
    assert_eq!(still.body, rules.body, "the previous site is served");

    // Fixed again: the site comes back with a new version.
    std::fs::write(&article, &text).unwrap();
    wait_for_new_version(addr, &second, Duration::from_secs(30)).expect("the fix rebuilds");
}

#[test]
fn answers_only_requests_whose_host_is_this_server() {
    let project = temp_project();
    let server = start(project.path());
    let addr = server.addr();
    let port = addr.port();
    let rules = std::fs::read(project.path().join("book/rules.json")).unwrap();
    let current = server.version();

    for host in [
        "localhost".to_owned(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("docs.en.localhost:{port}"),
        "127.0.0.1".to_owned(),
        format!("127.0.0.1:{port}"),
        format!("127.8.9.10:{port}"),
        "[::1]".to_owned(),
        format!("[::1]:{port}"),
    ] {
        let reply = get_as(addr, &host, "/rules.json");
        assert_eq!(reply.status, 200, "Host: {host}");
        assert_eq!(reply.body, rules, "Host: {host}");
    }
    // HTTP/1.0 need not name a host (browsers always do).
    assert_eq!(raw(addr, b"GET /rules.json HTTP/1.0\r\n\r\n").status, 200);

    // What a DNS-rebinding page sends: its own name, which now resolves here.
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("localhost.evil.com:{port}"),
        "localhost.evil.com".to_owned(),
        format!("127.0.0.1.nip.io:{port}"),
        "127.0.0.1.nip.io".to_owned(),
        format!("evil-localhost:{port}"),
        format!("localhost:{port}.evil.com"),
        format!("localhost:{port}@evil.com"),
        "0.0.0.0".to_owned(),
        "192.168.0.10".to_owned(),
        "2130706433".to_owned(),
        "[::2]".to_owned(),
        String::new(),
    ] {
        for target in [
            "/rules.json",
            "/",
            "/.rulebook/manifest.json",
            "/__rulebook/version",
            &format!("/__rulebook/version?since={current}x"),
        ] {
            let reply = get_as(addr, &host, target);
            assert_eq!(reply.status, 421, "Host: {host} {target}");
            let text = reply.text();
            assert!(text.starts_with("error[host-refused]: "), "{text}");
            assert!(text.contains("\n  = help: "), "{text}");
            assert!(
                !text.contains(&current),
                "Host: {host} {target} got the version"
            );
            assert_ne!(reply.body, rules);
        }
    }

    for (request, code) in [
        (&b"GET /rules.json HTTP/1.1\r\n\r\n"[..], "host-missing"),
        (
            b"GET /__rulebook/version HTTP/1.1\r\nAccept: */*\r\n\r\n",
            "host-missing",
        ),
        (
            b"GET /rules.json HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
            "bad-request",
        ),
        (
            b"GET /rules.json HTTP/1.1\r\nHost: evil.example\r\nHost: localhost\r\n\r\n",
            "bad-request",
        ),
        (
            b"GET /rules.json HTTP/1.1\r\nHost:\r\n localhost\r\n\r\n",
            "bad-request",
        ),
    ] {
        let reply = raw(addr, request);
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(request));
        assert!(
            reply.text().starts_with(&format!("error[{code}]: ")),
            "{}",
            reply.text()
        );
        assert_ne!(reply.body, rules);
    }
    server.stop();
}

#[test]
fn answers_the_name_given_with_bind() {
    let project = temp_project();
    let server = start_with(project.path(), |o| o.host = Some("preview.test".to_owned()));
    let addr = server.addr();
    let port = addr.port();
    for host in [
        format!("preview.test:{port}"),
        "PREVIEW.Test".to_owned(),
        "localhost".to_owned(),
    ] {
        assert_eq!(get_as(addr, &host, "/rules.json").status, 200, "{host}");
    }
    for host in ["other.test", "preview.test.evil.com", "evil.preview.test"] {
        assert_eq!(get_as(addr, host, "/rules.json").status, 421, "{host}");
    }
    server.stop();
}

/// Read from `stream` until it closes, for at most `guard`; what was read,
/// or `None` if it was still open then.
fn read_until_closed(stream: &mut TcpStream, guard: Duration) -> Option<Vec<u8>> {
    let deadline = Instant::now() + guard;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Some(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(got),
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn a_trickling_or_idle_client_is_closed_at_the_head_deadline() {
    assert!(
        ServeOptions::new("x").head_deadline <= Duration::from_secs(10),
        "a few seconds by default"
    );
    let project = temp_project();
    let server = start(project.path());
    let addr = server.addr();

    // One byte every 100 ms never completes the head; every byte arrives
    // well within any per-read timeout, so only a total deadline ends it.
    let mut trickle = TcpStream::connect(addr).unwrap();
    trickle
        .write_all(b"GET /rules.json HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    let mut idle = TcpStream::connect(addr).unwrap();
    trickle
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let guard = Instant::now() + Duration::from_secs(30);
    let mut reply = Vec::new();
    let mut buf = [0u8; 1024];
    let closed = loop {
        assert!(Instant::now() < guard, "still open after 30 s of trickling");
        if trickle.write_all(b"a").is_err() {
            break true;
        }
        match trickle.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => {}
        }
    };
    assert!(closed);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 408 "),
        "{reply}"
    );
    if !reply.is_empty() {
        assert!(reply.contains("error[head-timeout]"), "{reply}");
    }
    // The idle one, connected at the same time, is gone by now as well.
    let idle_reply = read_until_closed(&mut idle, Duration::from_secs(30))
        .expect("an idle socket is closed at the deadline");
    let idle_reply = String::from_utf8_lossy(&idle_reply);
    assert!(idle_reply.starts_with("HTTP/1.1 408 "), "{idle_reply}");
    assert_eq!(get(addr, "/rules.json").status, 200);
    server.stop();
}

#[test]
fn slow_idle_and_waiting_clients_do_not_lock_a_new_one_out() {
    let project = temp_project();
    // A head deadline far beyond the test: whatever a fresh client gets, it
    // does not get because a stalled connection timed out.
    let server = start_with(project.path(), |o| {
        o.head_deadline = Duration::from_secs(600)
    });
    let addr = server.addr();
    let out = project.path().join("book");
    // Larger than what the kernel buffers for a client that never reads.
    std::fs::write(out.join("big.bin"), vec![b'x'; 16 << 20]).unwrap();
    let current = server.version();
    let started = Instant::now();

    // Every open page's long poll, one more than the cap: they wait for a
    // build, but the one beyond the cap is told at once to come back later.
    let mut polls: Vec<TcpStream> = (0..=serve::MAX_POLLS)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            let poll = format!(
                "GET /__rulebook/version?since={current} HTTP/1.1\r\nHost: localhost\r\n\r\n"
            );
            s.write_all(poll.as_bytes()).unwrap();
            s.set_nonblocking(true).unwrap();
            s
        })
        .collect();
    let guard = Instant::now() + Duration::from_secs(20);
    let answered = loop {
        let ready = polls.iter().position(|s| s.peek(&mut [0u8; 1]).is_ok());
        if let Some(at) = ready {
            break polls.swap_remove(at);
        }
        assert!(
            Instant::now() < guard,
            "no poll beyond the cap was answered"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    answered.set_nonblocking(false).unwrap();
    let mut extra = Vec::new();
    (&answered).take(4096).read_to_end(&mut extra).unwrap();
    let extra = String::from_utf8_lossy(&extra);
    assert!(extra.starts_with("HTTP/1.1 503 "), "{extra}");
    assert!(extra.contains("\r\nRetry-After: 1\r\n"), "{extra}");
    assert!(extra.contains("error[busy]: "), "{extra}");

    // More trickling heads and idle sockets than the server keeps pending.
    let n = serve::MAX_PENDING;
    let mut trickling: Vec<TcpStream> = (0..n)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    let idle: Vec<TcpStream> = (0..n).map(|_| TcpStream::connect(addr).unwrap()).collect();
    // Clients that ask for a large file and never read it (a few: each
    // holds megabytes of kernel buffers; the room that closes the oldest of
    // them is unit-tested in src/serve.rs).
    let not_reading: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    for s in &mut trickling {
        let _ = s.write_all(b"a");
    }
    // Let them all become old enough to be closed for a newcomer.
    std::thread::sleep(serve::EVICTABLE_AFTER + Duration::from_millis(500));

    for round in 0..3 {
        let fresh = get(addr, "/rules.json");
        assert_eq!(fresh.status, 200, "round {round}");
        assert_eq!(fresh.body, std::fs::read(out.join("rules.json")).unwrap());
        for s in &mut trickling {
            let _ = s.write_all(b"a");
        }
    }
    let page = get(addr, "/");
    assert_eq!(page.status, 200);

    // The long polls were not closed to make room: they still wait (checked
    // only while well within their 25 s).
    if started.elapsed() < Duration::from_secs(15) {
        for s in &polls {
            let mut b = [0u8; 1];
            let peeked = s.peek(&mut b);
            assert!(
                matches!(&peeked, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
                "a long poll was answered or closed: {peeked:?}"
            );
        }
    }
    drop((polls, trickling, idle, not_reading));
    server.stop();
}

#[test]
fn never_serves_the_dot_folders_of_the_output() {
    let project = temp_project();
    let server = start(project.path());
    let addr = server.addr();
    let out = project.path().join("book");
    let manifest = std::fs::read(out.join(".rulebook/manifest.json")).unwrap();
    std::fs::write(out.join(".env"), SECRET).unwrap();
    std::fs::write(out.join("en/.draft.html"), SECRET).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(out.join(".rulebook"), out.join("cache")).unwrap();
        std::os::unix::fs::symlink(out.join(".env"), out.join("env.txt")).unwrap();
    }
    let refused = |target: &str, statuses: &[u16]| {
        let reply = get(addr, target);
        assert!(
            statuses.contains(&reply.status),
            "{target}: {}",
            reply.status
        );
        assert!(!reply.text().contains(SECRET), "{target} leaked");
        assert!(
            !reply.body.windows(manifest.len()).any(|w| w == manifest),
            "{target} served the build cache"
        );
        reply
    };
    for target in [
        "/.rulebook/manifest.json",
        "/.rulebook/",
        "/.rulebook",
        "/%2erulebook/manifest.json",
        "/%2Erulebook%2Fmanifest.json",
        "/./.rulebook/manifest.json",
        "/en/%2e/.rulebook/manifest.json",
        "/en//.rulebook/manifest.json",
        "/.RULEBOOK/manifest.json",
        "/.Rulebook/manifest.json",
        "/.rulebook./manifest.json",
        "/.env",
        "/%2eenv",
        "/en/.draft.html",
        "/en/%2Edraft.html",
    ] {
        let reply = refused(target, &[403]);
        assert!(
            reply.text().starts_with("error[hidden-path]: "),
            "{target}: {}",
            reply.text()
        );
        assert_eq!(request(addr, "HEAD", target).status, 403, "HEAD {target}");
    }
    for target in [
        "//.rulebook/manifest.json",
        "/en/../.rulebook/manifest.json",
        "/en/%2e%2e/.rulebook/manifest.json",
        "/cache/manifest.json",
        "/cache/",
        "/env.txt",
    ] {
        refused(target, &[403, 404]);
    }
    let listing = get(addr, "/en/");
    assert!(!listing.text().contains(".draft"), "listed a dot file");
    assert_eq!(get(addr, "/rules.json").status, 200, "still serving");
    server.stop();
}

#[test]
fn a_slow_reader_is_cut_off_at_the_write_deadline() {
    let project = temp_project();
    let server = start_with(project.path(), |o| {
        o.write_deadline = Duration::from_secs(2)
    });
    let addr = server.addr();
    let size = 16 << 20;
    std::fs::write(project.path().join("book/big.bin"), vec![b'x'; size]).unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // 64 KiB every 100 ms: every write of the server makes progress, so
    // only a deadline on the whole response ends it before the 25 s the
    // file would take.
    let guard = Instant::now() + Duration::from_secs(60);
    let mut got = 0;
    let mut buf = vec![0u8; 64 << 10];
    loop {
        assert!(Instant::now() < guard, "still sending after 60 s");
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(got > 0, "nothing was sent");
    assert!(got < size, "the whole file was sent to a reader this slow");
    assert_eq!(get(addr, "/rules.json").status, 200);
    server.stop();
}

/// What a server started by [`start_reporting`] said, in order.
enum Said {
    Changed(Vec<String>),
    Built(String),
    Failed(String),
}

/// Start the library server on a free port, its events sent to the
/// returned channel.
fn start_reporting(project: &Path) -> (serve::Server, mpsc::Receiver<Said>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let mut options = ServeOptions::new(project);
    options.port = 0;
    let server = serve::start(options, move |event: &Event<'_>| {
        let said = match event {
            Event::Changed { paths } => Said::Changed(
                paths
                    .iter()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .collect(),
            ),
            Event::Built { version, .. } => Said::Built((*version).to_owned()),
            Event::BuildFailed { diagnostics, .. } => Said::Failed(diagnostics.to_string()),
            _ => return,
        };
        let _ = tx.lock().unwrap().send(said);
    })
    .unwrap();
    (server, rx)
}

/// Wait for the rebuild after an edit: the paths the watcher saw changed,
/// then the build's outcome (a failed build fails the test).
fn await_rebuild(events: &mpsc::Receiver<Said>, what: &str) -> (Vec<String>, String) {
    let mut changed = Vec::new();
    loop {
        match events
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{what}: the edit is not seen or not rebuilt (hang guard)"))
        {
            Said::Changed(paths) => changed.extend(paths),
            Said::Built(version) => return (changed, version),
            Said::Failed(d) => panic!("the rebuild failed:\n{d}"),
        }
    }
}

/// Every file of a built output but the build cache, by path.
fn site_files(out: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = snapshot(out);
    files.retain(|path, _| !path.starts_with(".rulebook"));
    files
}

/// A fresh `rulebook build` of `project` into a folder of its own.
fn fresh_build(project: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    let result = Command::new(env!("CARGO_BIN_EXE_rulebook"))
        .arg("--root")
        .arg(project)
        .args(["-q", "build", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    site_files(&out)
}

/// Replace the one occurrence of `from` in the file at `rel` of `project`.
fn edit_once(project: &Path, rel: &str, from: &str, to: &str) {
    let path = project.join(rel);
    let text = read(&path);
    assert_eq!(text.matches(from).count(), 1, "{rel}: {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Item 8 of issue 19 on a slice of the real DocFX tree: `serve` sees edits
/// in nested folders and in the DocFX project's own files (TOC.yml,
/// docfx.json, the redirect file, a dot file), media files and includes;
/// each edit rebuilds, the served output is then byte for byte what a
/// fresh build of the same content writes, and the pages that show the
/// changed thing changed.
#[test]
fn tree_edits_rebuild_what_shows_them_and_equal_a_fresh_build() {
    use common::tree::*;
    let project = tree_project();
    let root = project.path();
    add_to_slice(
        root,
        &[
            // the article whose anchor assign-licenses-to-users links to
            "partner-center/csp-commercial-marketplace-manage.md",
            "partner-center/TOC.yml",
            "partner-center/index.yml",
            ".openpublishing.redirection.json",
        ],
    );
    let (server, events) = start_reporting(root);
    assert!(server.version().ends_with("-1"), "the first build succeeds");
    assert!(matches!(events.try_recv(), Ok(Said::Built(_))));
    let out = root.join("book");
    assert_eq!(site_files(&out), fresh_build(root), "the first build");

    // Each step: an edit, the file the watcher must name, and the pages
    // (under book/zh-TW/) that must change, or appear or go.
    type Step = (
        &'static str,
        fn(&Path),
        &'static str,
        &'static [&'static str],
    );
    let steps: [Step; 11] = [
        (
            "(a) the title (H1) of an article no TOC lists: its navigation label",
            |root| {
                edit_once(
                    root,
                    "content/zh-TW/Archive/China-billing.md",
                    "\">帳單</span>",
                    "\">帳單與付款</span>",
                )
            },
            "content/zh-TW/Archive/China-billing.md",
            &["Archive/China-billing.html", "toc.js", "toc.html"],
        ),
        (
            "(a') the frontmatter title of the same article",
            |root| {
                edit_once(
                    root,
                    "content/zh-TW/Archive/China-billing.md",
                    "\ntitle: ",
                    "\ntitle: 新標題 ",
                )
            },
            "content/zh-TW/Archive/China-billing.md",
            &["Archive/China-billing.html"],
        ),
        (
            "(b) a section anchor another article links to",
            |root| {
                edit_once(
                    root,
                    "content/zh-TW/partner-center/csp-commercial-marketplace-manage.md",
                    "<a name=\"add-or-remove-licenses-for-a-saas-subscription\">",
                    "<a name=\"add-or-remove-saas-licenses\">",
                )
            },
            "content/zh-TW/partner-center/csp-commercial-marketplace-manage.md",
            &[
                "partner-center/csp-commercial-marketplace-manage.html",
                "partner-center/assign-licenses-to-users.html",
            ],
        ),
        (
            "(c) the name of a TOC.yml entry",
            |root| {
                let toc = "content/zh-TW/partner-center/TOC.yml";
                let text = read(root.join(toc));
                let line = text
                    .lines()
                    .position(|l| l.trim() == "href: account-structure.md")
                    .unwrap();
                let name = text.lines().nth(line - 1).unwrap();
                assert!(name.trim_start().starts_with("- name: "), "{name}");
                edit_once(root, toc, name, &format!("{name}（已改名）"));
            },
            "content/zh-TW/partner-center/TOC.yml",
            &["toc.js", "toc.html"],
        ),
        (
            "(d) a redirect entry, in a dot file at the top of the locale",
            |root| {
                edit_once(
                    root,
                    "content/zh-TW/.openpublishing.redirection.json",
                    "\"redirect_url\": \"/partner-center/payout-statement\"",
                    "\"redirect_url\": \"/partner-center/account-structure\"",
                )
            },
            "content/zh-TW/.openpublishing.redirection.json",
            &["partner-center/incentives-unified-user-guide.html"],
        ),
        (
            "(e) docfx.json excluding an article",
            |root| {
                edit_once(
                    root,
                    "content/zh-TW/partner-center/docfx.json",
                    "\"README.md\",",
                    "\"README.md\", \"activity-logs.md\",",
                )
            },
            "content/zh-TW/partner-center/docfx.json",
            &["partner-center/activity-logs.html", "toc.js", "toc.html"],
        ),
        (
            "(f) docfx.json taking the article back",
            |root| {
                edit_once(
                    root,
                    "content/zh-TW/partner-center/docfx.json",
                    "\"README.md\", \"activity-logs.md\",",
                    "\"README.md\",",
                )
            },
            "content/zh-TW/partner-center/docfx.json",
            &["partner-center/activity-logs.html", "toc.js", "toc.html"],
        ),
        (
            "(g) a media file an article shows, added",
            |root| {
                let png = root.join("content/zh-TW/partner-center/images/accountstructure.png");
                std::fs::create_dir_all(png.parent().unwrap()).unwrap();
                std::fs::write(png, b"\x89PNG\r\n\x1a\none").unwrap();
            },
            "content/zh-TW/partner-center/images/accountstructure.png",
            &["partner-center/account-structure.html"],
        ),
        (
            "(h) the media file changed",
            |root| {
                let png = root.join("content/zh-TW/partner-center/images/accountstructure.png");
                std::fs::write(png, b"\x89PNG\r\n\x1a\ntwo, longer").unwrap();
            },
            "content/zh-TW/partner-center/images/accountstructure.png",
            &[],
        ),
        (
            "(i) an include, and an article including it",
            |root| {
                let note = root.join("content/zh-TW/partner-center/includes/note.md");
                std::fs::write(note, "包含的文字一。\n").unwrap();
                let article = root.join("content/zh-TW/partner-center/activity-logs.md");
                let text = read(&article);
                std::fs::write(article, text + "\n[!INCLUDE [note](includes/note.md)]\n").unwrap();
            },
            "content/zh-TW/partner-center/includes/note.md",
            &["partner-center/activity-logs.html"],
        ),
        (
            "(j) the include alone edited",
            |root| {
                let note = root.join("content/zh-TW/partner-center/includes/note.md");
                std::fs::write(note, "包含的文字二，已修改。\n").unwrap();
            },
            "content/zh-TW/partner-center/includes/note.md",
            &["partner-center/activity-logs.html"],
        ),
    ];
    for (what, edit, file, pages) in steps {
        let before = site_files(&out);
        let version = server.version();
        // a new modification time even on a coarse clock
        std::thread::sleep(Duration::from_millis(20));
        edit(root);
        let (changed, built) = await_rebuild(&events, what);
        assert!(changed.iter().any(|c| c == file), "{what}: saw {changed:?}");
        assert_ne!(built, version, "{what}: a new version");
        assert_eq!(server.version(), built, "{what}: the new build is served");
        let after = site_files(&out);
        for page in pages {
            let rel = Path::new("zh-TW").join(page);
            assert!(
                before.get(&rel) != after.get(&rel),
                "{what}: {page} did not change"
            );
        }
        assert!(
            after == fresh_build(root),
            "{what}: the rebuilt output differs from a fresh build in {:?}",
            differing(&after, &fresh_build(root))
        );
        // and what is served is what is on disk
        let served = get(server.addr(), "/zh-TW/toc.js");
        assert!(
            served.body == after[&Path::new("zh-TW").join("toc.js")],
            "{what}: the served toc.js is not the one on disk"
        );
    }
    server.stop();
}

/// The paths two outputs disagree on.
fn differing(
    a: &BTreeMap<std::path::PathBuf, Vec<u8>>,
    b: &BTreeMap<std::path::PathBuf, Vec<u8>>,
) -> Vec<std::path::PathBuf> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}
