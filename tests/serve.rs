//! `rulebook serve`: files and content types, paths that try to leave the
//! output folder, bad requests, rebuilds on edit and the live-reload version.
//! Everything runs on loopback against a temp copy of the project, with
//! bounded loops and timeouts.

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
    let mut options = ServeOptions::new(project);
    options.port = 0;
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
