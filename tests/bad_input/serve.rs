//! Catalogue cases: see tests/bad_input.rs. Hostile requests to a running
//! `rulebook serve --port 0` (started in the project folder, killed after
//! the request): the number in the exit column is the HTTP status, and the
//! diagnostic is the request followed by the server's refusal, which it
//! words as a diagnostic (`error[code]: ...` then `  = help: ...`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Case, Observed, Run};

/// `rulebook serve --port 0` in `dir`; killed when dropped.
struct Serving {
    child: Child,
    addr: SocketAddr,
}

impl Serving {
    fn start(dir: &Path) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rulebook"))
            .args(["serve", "--port", "0"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, line) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(l);
            }
        });
        let line: String = line
            .recv_timeout(Duration::from_secs(60))
            .expect("serve prints its URL");
        let url = line.rsplit(' ').next().unwrap();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Serving { child, addr }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status and body of a raw reply.
fn parse(reply: &[u8]) -> (i32, String) {
    let text = String::from_utf8_lossy(reply);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    (status, body.to_owned())
}

fn send(stream: &mut TcpStream, request: &[u8]) -> (i32, String) {
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    let _ = stream.take(1 << 20).read_to_end(&mut reply);
    parse(&reply)
}

/// `what` (the request, as the table shows it) then the refusal's lines.
fn observed(what: &str, (status, body): (i32, String)) -> Observed {
    assert!(!body.contains(super::SECRET), "{what} got the outside file");
    Observed {
        exit: status,
        stderr: format!("{what}: {body}"),
    }
}

/// One request, sent at once.
fn ask(dir: &Path, what: &str, request: &str) -> Observed {
    let serving = Serving::start(dir);
    let reply = send(&mut serving.connect(), request.as_bytes());
    observed(what, reply)
}

fn get_with_host(dir: &Path, target: &str, host: &str) -> Observed {
    ask(
        dir,
        &format!("GET {target} with Host: {host}"),
        &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    )
}

fn get(dir: &Path, target: &str) -> Observed {
    ask(
        dir,
        &format!("GET {target}"),
        &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    )
}

/// A head sent a byte every 100 ms, never finished: the server's total
/// deadline (5 s) must end it; the guard fails the case at 30 s.
fn trickle(dir: &Path) -> Observed {
    let serving = Serving::start(dir);
    let mut stream = serving.connect();
    stream
        .write_all(b"GET /rules.json HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let guard = Instant::now() + Duration::from_secs(30);
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        assert!(
            Instant::now() < guard,
            "a trickled head kept its connection for 30 s"
        );
        if stream.write_all(b"a").is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(_) => {}
        }
    }
    observed(
        "GET /rules.json, its head trickled a byte every 100 ms",
        parse(&reply),
    )
}

/// `n` long polls waiting for the next build.
fn polls(serving: &Serving, n: usize) -> Vec<TcpStream> {
    let version = send(
        &mut serving.connect(),
        b"GET /__rulebook/version HTTP/1.1\r\nHost: localhost\r\n\r\n",
    )
    .1;
    let poll = format!(
        "GET /__rulebook/version?since={} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        version.trim()
    );
    (0..n)
        .map(|_| {
            let mut s = serving.connect();
            s.write_all(poll.as_bytes()).unwrap();
            s
        })
        .collect()
}

/// 128 long polls, 128 trickling heads and 128 idle sockets, all left open
/// for over a second; then a fresh GET.
fn crowded(dir: &Path) -> Observed {
    let serving = Serving::start(dir);
    let waiting = polls(&serving, 128);
    let mut trickling: Vec<TcpStream> = (0..128)
        .map(|_| {
            let mut s = serving.connect();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    let idle: Vec<TcpStream> = (0..128).map(|_| serving.connect()).collect();
    std::thread::sleep(Duration::from_millis(1500));
    for s in &mut trickling {
        let _ = s.write_all(b"a");
    }
    let reply = send(
        &mut serving.connect(),
        b"GET /rules.json HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert!(reply.1.contains("\"rules\""), "not rules.json: {}", reply.1);
    drop((waiting, trickling, idle));
    observed("GET /rules.json", reply)
}

/// Pages beyond the long polls' cap (128) are told to retry at once.
fn polls_beyond_the_cap(dir: &Path) -> Observed {
    let serving = Serving::start(dir);
    let waiting = polls(&serving, 129);
    let guard = Instant::now() + Duration::from_secs(20);
    for s in &waiting {
        s.set_nonblocking(true).unwrap();
    }
    let answered = loop {
        if let Some(s) = waiting.iter().find(|s| s.peek(&mut [0u8; 1]).is_ok()) {
            break s;
        }
        assert!(
            Instant::now() < guard,
            "no long poll beyond the cap was answered"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    answered.set_nonblocking(false).unwrap();
    let mut reply = Vec::new();
    let _ = answered.take(1 << 20).read_to_end(&mut reply);
    observed(
        "GET /__rulebook/version?since=V, the 129th open page",
        parse(&reply),
    )
}

pub(crate) fn cases() -> Vec<Case> {
    let none = |_: &Path| {};
    vec![
        Case {
            name: "serve: a DNS-rebinding page (`Host: evil.example`)",
            run: Run::Custom("serve", |d| get_with_host(d, "/rules.json", "evil.example")),
            break_it: none,
            exit: 421,
            code: "host-refused",
            line: false,
        },
        Case {
            name: "serve: a name that starts like localhost (`Host: localhost.evil.com`)",
            run: Run::Custom("serve", |d| {
                get_with_host(d, "/rules.json", "localhost.evil.com")
            }),
            break_it: none,
            exit: 421,
            code: "host-refused",
            line: false,
        },
        Case {
            name: "serve: a public name resolving to loopback (`Host: 127.0.0.1.nip.io:3000`)",
            run: Run::Custom("serve", |d| {
                get_with_host(d, "/rules.json", "127.0.0.1.nip.io:3000")
            }),
            break_it: none,
            exit: 421,
            code: "host-refused",
            line: false,
        },
        Case {
            name: "serve: the live-reload version from a foreign Host",
            run: Run::Custom("serve", |d| {
                get_with_host(d, "/__rulebook/version", "evil.example")
            }),
            break_it: none,
            exit: 421,
            code: "host-refused",
            line: false,
        },
        Case {
            name: "serve: HTTP/1.1 without a Host header",
            run: Run::Custom("serve", |d| {
                ask(
                    d,
                    "GET /rules.json without Host",
                    "GET /rules.json HTTP/1.1\r\n\r\n",
                )
            }),
            break_it: none,
            exit: 400,
            code: "host-missing",
            line: false,
        },
        Case {
            name: "serve: two Host headers (localhost, then evil.example)",
            run: Run::Custom("serve", |d| {
                ask(
                    d,
                    "GET /rules.json with Host: localhost and Host: evil.example",
                    "GET /rules.json HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
                )
            }),
            break_it: none,
            exit: 400,
            code: "bad-request",
            line: false,
        },
        Case {
            name: "serve: the build cache (`/.rulebook/manifest.json`)",
            run: Run::Custom("serve", |d| get(d, "/.rulebook/manifest.json")),
            break_it: none,
            exit: 403,
            code: "hidden-path",
            line: false,
        },
        Case {
            name: "serve: the build cache, percent-encoded (`/%2erulebook%2Fmanifest.json`)",
            run: Run::Custom("serve", |d| get(d, "/%2erulebook%2Fmanifest.json")),
            break_it: none,
            exit: 403,
            code: "hidden-path",
            line: false,
        },
        Case {
            name: "serve: the build cache via `/./`, `//` and another case (`/en/.//./.RuleBook/index.json`)",
            run: Run::Custom("serve", |d| get(d, "/en/.//./.RuleBook/index.json")),
            break_it: none,
            exit: 403,
            code: "hidden-path",
            line: false,
        },
        Case {
            name: "serve: the build cache, every letter percent-encoded",
            run: Run::Custom("serve", |d| {
                get(
                    d,
                    "/%2E%72%75%6C%65%62%6F%6F%6B/%6D%61%6E%69%66%65%73%74.json",
                )
            }),
            break_it: none,
            exit: 403,
            code: "hidden-path",
            line: false,
        },
        Case {
            name: "serve: a request head trickled a byte at a time (closed at the 5 s deadline)",
            run: Run::Custom("serve", trickle),
            break_it: none,
            exit: 408,
            code: "head-timeout",
            line: false,
        },
        Case {
            name: "serve: 128 long polls, 128 trickling heads and 128 idle sockets open, then a fresh GET (answered)",
            run: Run::Custom("serve", crowded),
            break_it: none,
            exit: 200,
            code: "",
            line: false,
        },
        Case {
            name: "serve: a long poll beyond the 128 open pages (told to retry in a second)",
            run: Run::Custom("serve", polls_beyond_the_cap),
            break_it: none,
            exit: 503,
            code: "busy",
            line: false,
        },
    ]
}
