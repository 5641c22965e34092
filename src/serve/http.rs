//! The HTTP side: one request per connection (`Connection: close`), GET and
//! HEAD only, a bounded request head read within a total deadline, only
//! requests whose `Host` names this server, and paths resolved so that
//! nothing outside the output folder, nor any dot file or folder inside it,
//! can be named, by `..`, encodings or symlinks.
//!
//! Refusals have a plain-text body in the form of a diagnostic (`error[code]:
//! what` then `  = help: how`), for whoever looks at them in a browser or
//! with curl.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{MAX_POLLS, Place, RESERVED_PREFIX, Shared};

/// Largest request head (request line and headers) read.
const MAX_HEAD: usize = 16 * 1024;
/// How long `/__rulebook/version?since=V` waits for a new build.
const LONG_POLL: Duration = Duration::from_secs(25);
const VERSION_PATH: &str = "/__rulebook/version";
/// How long a refusal that is not worth more (busy, timed out) may take to
/// write, and how long the rest of a request is read after the response.
const SHORT_WRITE: Duration = Duration::from_secs(1);
const LINGER: Duration = Duration::from_millis(500);

/// Serve one connection. Every failure stays inside it.
pub(super) fn handle(
    stream: Arc<TcpStream>,
    shared: &Shared,
    pending: Place<'_>,
    accepted: Instant,
) {
    let _ = stream.set_nodelay(true);
    let head = read_head(&stream, accepted + shared.head_deadline);
    drop(pending);
    let refused = match head {
        Head::Complete(head) => match Request::parse(&head) {
            Ok(request) => return answer(&stream, &request, shared),
            Err(why) => refusal(
                400,
                "bad-request",
                why,
                "send a well-formed HTTP/1.x request",
            ),
        },
        Head::TooLarge => refusal(
            431,
            "head-too-large",
            format!("the request head is longer than {} KiB", MAX_HEAD / 1024),
            "send fewer or shorter headers",
        ),
        Head::TimedOut => refusal(
            408,
            "head-timeout",
            format!(
                "the request head did not arrive within {} s of connecting",
                shared.head_deadline.as_secs_f32()
            ),
            "send the whole request line and headers at once",
        ),
        Head::Incomplete => return,
    };
    in_room(&stream, shared, false, SHORT_WRITE, || refused);
}

/// Check the Host, take a place (a long poll's own kind, or one among the
/// requests being answered, as refusals do), respond, and write the
/// response while holding the place.
fn answer(stream: &Arc<TcpStream>, request: &Request<'_>, shared: &Shared) {
    let head_only = request.method == "HEAD";
    let refused = refuse_host(request, shared);
    let (path, query) = path_and_query(request.target);
    let long_poll = request.method == "GET" && path == VERSION_PATH && since(query).is_some();
    if refused.is_none() && long_poll {
        if let Some(_poll) = shared.take_poll() {
            let response = respond(request, shared);
            return finish(stream, response, head_only, shared.write_deadline);
        }
        return in_room(stream, shared, head_only, SHORT_WRITE, || {
            busy(&format!(
                "{MAX_POLLS} pages are already waiting for the next build"
            ))
        });
    }
    match refused {
        Some(refused) => in_room(stream, shared, head_only, SHORT_WRITE, || refused),
        None => in_room(stream, shared, head_only, shared.write_deadline, || {
            respond(request, shared)
        }),
    }
}

/// Respond and write the response within `allowed`, holding a place among
/// the requests being answered, so that refusals are bounded like the rest.
fn in_room(
    stream: &Arc<TcpStream>,
    shared: &Shared,
    head_only: bool,
    allowed: Duration,
    response: impl FnOnce() -> Response,
) {
    let _place = shared.answering.place(shared.answering.enter(stream));
    finish(stream, response(), head_only, allowed);
}

fn busy(what: &str) -> Response {
    let mut busy = refusal(
        503,
        "busy",
        what,
        "retry in a moment (open pages do so by themselves)",
    );
    busy.headers.push(("Retry-After", "1".to_owned()));
    busy
}

/// The `Host` check (see [`super::host`]): a refusal, or `None` to go on.
fn refuse_host(request: &Request<'_>, shared: &Shared) -> Option<Response> {
    let port = shared.port;
    match request.host {
        // HTTP/1.0 clients need not send one; browsers always do.
        None if request.version == "HTTP/1.0" => None,
        None => Some(refusal(
            400,
            "host-missing",
            "an HTTP/1.1 request without a `Host` header",
            &format!("send `Host: localhost:{port}`"),
        )),
        Some(host) if shared.hosts.allows(host) => None,
        Some(host) => Some(refusal(
            421,
            "host-refused",
            format!(
                "this preview does not answer for `Host: {}` (a page of another site \
                 may be trying to read it through DNS rebinding)",
                quote(host)
            ),
            &format!(
                "open http://localhost:{port}/ (or 127.0.0.1, [::1]); to reach it by \
                 another name, start it with `rulebook serve --bind NAME`"
            ),
        )),
    }
}

/// Write the response within `allowed`, then close.
fn finish(stream: &TcpStream, response: Response, head_only: bool, allowed: Duration) {
    let mut out = Timed {
        stream,
        deadline: Instant::now() + allowed,
    };
    let _ = response.write_to(&mut out, head_only);
    let _ = stream.shutdown(Shutdown::Write);
    // Read what the client still sends (a body, the rest of an oversized
    // head) for a moment, so closing does not reset the connection before
    // it has read the response. A total deadline again: a client that keeps
    // sending cannot keep the connection.
    let mut rest = Timed {
        stream,
        deadline: Instant::now() + LINGER,
    };
    let _ = io::copy(&mut (&mut rest).take(1 << 20), &mut io::sink());
}

/// A stream whose reads and writes all end by one deadline: before each
/// call the socket's timeout is set to the time left, so many small reads
/// or writes cannot add up to more.
struct Timed<'a> {
    stream: &'a TcpStream,
    deadline: Instant,
}

impl Timed<'_> {
    fn left(&self) -> io::Result<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(|| io::ErrorKind::TimedOut.into())
    }
}

impl Read for Timed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.left()?))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

impl Write for Timed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.left()?))?;
        let mut stream = self.stream;
        stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Head {
    Complete(Vec<u8>),
    TooLarge,
    /// The deadline passed first.
    TimedOut,
    /// The client closed, or the connection was closed to make room.
    Incomplete,
}

fn read_head(stream: &TcpStream, deadline: Instant) -> Head {
    let mut input = Timed { stream, deadline };
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => return Head::Incomplete,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Head::TimedOut;
            }
            Err(_) => return Head::Incomplete,
        };
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        let tail = &head[from..];
        if let Some(end) = memchr::memmem::find(tail, b"\r\n\r\n")
            .map(|i| from + i + 4)
            .or_else(|| memchr::memmem::find(tail, b"\n\n").map(|i| from + i + 2))
        {
            if end > MAX_HEAD {
                return Head::TooLarge;
            }
            head.truncate(end);
            return Head::Complete(head);
        }
        if head.len() > MAX_HEAD {
            return Head::TooLarge;
        }
    }
}

struct Request<'a> {
    method: &'a str,
    /// The request target as sent (still percent-encoded).
    target: &'a str,
    /// `HTTP/1.0` or `HTTP/1.1`.
    version: &'a str,
    /// The `Host` header's value, if there was one.
    host: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// The request line and the `Host` header (the only one needed).
    fn parse(head: &'a [u8]) -> Result<Self, &'static str> {
        const MALFORMED: &str = "the request line is not `METHOD /path HTTP/1.x`";
        let text = std::str::from_utf8(head).map_err(|_| "the request head is not UTF-8")?;
        let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let line = lines.next().ok_or(MALFORMED)?;
        let mut parts = line.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MALFORMED);
        };
        let valid_target = !target.is_empty() && target.bytes().all(|b| b > 0x20 && b != 0x7f);
        if !matches!(version, "HTTP/1.0" | "HTTP/1.1") || !valid_target || method.is_empty() {
            return Err(MALFORMED);
        }
        let mut host = None;
        for line in lines.take_while(|l| !l.is_empty()) {
            // Folded lines (RFC 9112 5.2) could hide a second Host.
            if line.starts_with([' ', '\t']) {
                return Err("a header is folded over two lines");
            }
            let (name, value) = line.split_once(':').ok_or("a header line has no `:`")?;
            if name.eq_ignore_ascii_case("host") {
                if host.is_some() {
                    return Err("the request has two `Host` headers");
                }
                host = Some(value.trim_matches([' ', '\t']));
            }
        }
        Ok(Request {
            method,
            target,
            version,
            host,
        })
    }
}

/// A short diagnostic-like plain-text answer: `error[code]: what` and how to
/// do better. The `what` may quote the request, made printable and short.
fn refusal(status: u16, code: &str, what: impl AsRef<str>, help: &str) -> Response {
    Response::text(
        status,
        &format!("error[{code}]: {}\n  = help: {help}\n", what.as_ref()),
    )
}

/// Request text fit to quote in a refusal: printable ASCII, at most 80
/// characters.
fn quote(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if raw.chars().count() > 80 {
        out.push_str("...");
    }
    out
}

fn path_and_query(target: &str) -> (&str, Option<&str>) {
    let target = target.split('#').next().unwrap_or_default();
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    }
}

/// The `since=V` of a version request's query.
fn since(query: Option<&str>) -> Option<&str> {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("since="))
}

fn respond(request: &Request<'_>, shared: &Shared) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        let mut response = Response::text(405, "only GET and HEAD\n");
        response.headers.push(("Allow", "GET, HEAD".to_owned()));
        return response;
    }
    let (path, query) = path_and_query(request.target);
    if path == VERSION_PATH {
        return version(query, request.method == "GET", shared);
    }
    // Read the version before the file: a build landing in between costs one
    // extra reload, never a missed one.
    let version = shared.version();
    if path.starts_with(RESERVED_PREFIX) {
        return Response::page(404, "Not found", &version);
    }
    match resolve(&shared.out, path) {
        Resolved::File(file) => file_response(&file, &version),
        Resolved::Listing(dir) => listing(&dir, path, &version),
        Resolved::Redirect => {
            let mut response = Response::text(301, "moved\n");
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            response
                .headers
                .push(("Location", format!("{path}/{query}")));
            response
        }
        Resolved::NotFound => Response::page(404, "Not found", &version),
        Resolved::Hidden => refusal(
            403,
            "hidden-path",
            format!(
                "`{}` names a dot file or folder of the output; those (the build cache \
                 `.rulebook/` among them) are never served",
                quote(path)
            ),
            "link to files whose path has no segment starting with `.`",
        ),
        Resolved::NoSite => Response::page(
            503,
            "No site yet: the build failed (see the terminal). This page reloads when it succeeds.",
            &version,
        ),
    }
}

/// The served version; with `since=V` (GET only), waits until it differs
/// from V or the long poll times out.
fn version(query: Option<&str>, may_wait: bool, shared: &Shared) -> Response {
    let version = match since(query) {
        Some(seen) if may_wait => shared.wait_for_version_other_than(seen, LONG_POLL),
        _ => shared.version(),
    };
    Response::text(200, &format!("{version}\n"))
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Resolved {
    File(PathBuf),
    /// A folder without index.html.
    Listing(PathBuf),
    /// A folder named without its trailing slash.
    Redirect,
    NotFound,
    /// A path with a segment starting with `.`.
    Hidden,
    /// The output folder does not exist (no build has succeeded).
    NoSite,
}

/// Map a request path to a file under `out`, or refuse. The path must be
/// relative once decoded (no `..`, NUL, backslash, drive or `//` prefix) with
/// no segment starting with `.`, and the file it names, symlinks resolved,
/// must still lie inside `out` and outside its dot folders.
pub(super) fn resolve(out: &Path, raw_path: &str) -> Resolved {
    let (relative, trailing_slash) = match safe_relative(raw_path) {
        Ok(safe) => safe,
        Err(Unsafe::Hidden) => return Resolved::Hidden,
        Err(Unsafe::Escapes) => return Resolved::NotFound,
    };
    let Some(base) = canonical_out(out) else {
        return Resolved::NoSite;
    };
    // The resolved path is checked again: a symlink (or a file system that
    // ignores case or trailing dots) could lead into a dot folder.
    let inside = |p: &Path| {
        p.canonicalize().ok().filter(|real| {
            real.strip_prefix(&base)
                .is_ok_and(|rel| !rel.components().any(|c| is_dot_name(c)))
        })
    };
    let Some(real) = inside(&base.join(&relative)) else {
        return Resolved::NotFound;
    };
    if real.is_dir() {
        if !trailing_slash {
            return Resolved::Redirect;
        }
        let index = real.join("index.html");
        return match inside(&index) {
            Some(index) if index.is_file() => Resolved::File(index),
            Some(_) => Resolved::NotFound,
            None if std::fs::symlink_metadata(&index).is_ok() => Resolved::NotFound,
            None => Resolved::Listing(real),
        };
    }
    // Not a FIFO, socket or device: opening those could block or worse.
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Unsafe {
    /// Could leave the output folder, or is not a path.
    Escapes,
    /// Names a dot file or folder (`.rulebook/`, the build cache).
    Hidden,
}

fn is_dot_name(component: Component<'_>) -> bool {
    match component {
        Component::Normal(name) => name.as_encoded_bytes().starts_with(b"."),
        _ => true,
    }
}

/// The decoded path as a relative path, and whether it ended with `/`.
fn safe_relative(raw: &str) -> Result<(PathBuf, bool), Unsafe> {
    if !raw.starts_with('/') || raw.starts_with("//") {
        return Err(Unsafe::Escapes);
    }
    let decoded = percent_decode(raw).ok_or(Unsafe::Escapes)?;
    let decoded = String::from_utf8(decoded).map_err(|_| Unsafe::Escapes)?;
    if decoded.starts_with("//") || decoded.contains(['\0', '\\']) {
        return Err(Unsafe::Escapes);
    }
    let mut relative = PathBuf::new();
    let mut hidden = false;
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(Unsafe::Escapes),
            s if s.contains(':') || s.chars().any(char::is_control) => {
                return Err(Unsafe::Escapes);
            }
            s => {
                hidden |= s.starts_with('.');
                relative.push(s);
            }
        }
    }
    if hidden {
        return Err(Unsafe::Hidden);
    }
    Ok((relative, decoded.ends_with('/')))
}

fn percent_decode(raw: &str) -> Option<Vec<u8>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The output folder, resolved. A rebuild swaps it by two renames; a request
/// landing between them waits a moment instead of failing.
fn canonical_out(out: &Path) -> Option<PathBuf> {
    for _ in 0..4 {
        if let Ok(real) = out.canonicalize() {
            return Some(real);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    out.canonicalize().ok()
}

fn file_response(path: &Path, version: &str) -> Response {
    let content_type = content_type(path);
    if content_type.starts_with("text/html") {
        return match std::fs::read(path) {
            Ok(html) => Response::new(200, content_type, inject_reload(html, version)),
            Err(_) => Response::page(404, "Not found", version),
        };
    }
    let opened = File::open(path).and_then(|f| Ok((f.metadata()?.len(), f)));
    match opened {
        Ok((len, file)) => Response {
            body: Body::File(file, len),
            ..Response::new(200, content_type, Vec::new())
        },
        Err(_) => Response::page(404, "Not found", version),
    }
}

/// Content-Type by file extension.
pub(super) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The live-reload script: long-polls the version endpoint and reloads the
/// page when the served version is no longer the one it was loaded with.
fn reload_script(version: &str) -> String {
    format!(
        "<script>/* rulebook serve: live reload */(() => {{\
         const seen = \"{version}\";\
         const poll = () => fetch(\"{VERSION_PATH}?since=\" + encodeURIComponent(seen), {{cache: \"no-store\"}})\
         .then(r => r.ok ? r.text() : Promise.reject(r.status))\
         .then(v => {{ if (v.trim() !== seen) location.reload(); else poll(); }})\
         .catch(() => setTimeout(poll, 1000));\
         poll();}})();</script>\n"
    )
}

/// Insert the reload script before the last `</body>` (any case), or at the
/// end when there is none.
pub(super) fn inject_reload(mut html: Vec<u8>, version: &str) -> Vec<u8> {
    let script = reload_script(version);
    let at = memchr::memmem::rfind(&html.to_ascii_lowercase(), b"</body").unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
}

fn listing(dir: &Path, url_path: &str, version: &str) -> Response {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let slash = if e.path().is_dir() { "/" } else { "" };
            (!name.starts_with('.')).then(|| format!("{name}{slash}"))
        })
        .collect();
    names.sort();
    let title = escape_html(&String::from_utf8_lossy(
        &percent_decode(url_path).unwrap_or_default(),
    ));
    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><ul>\n"
    );
    for name in &names {
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            percent_encode(name),
            escape_html(name)
        ));
    }
    html.push_str("</ul></body></html>\n");
    Response::new(
        200,
        "text/html; charset=utf-8",
        inject_reload(html.into_bytes(), version),
    )
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Encode a file name for a relative href (keeps `/`, which marks folders).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

enum Body {
    Bytes(Vec<u8>),
    File(File, u64),
}

struct Response {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body: Body::Bytes(body),
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    /// A small HTML page that reloads itself with the next build.
    fn page(status: u16, message: &str, version: &str) -> Self {
        let html = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status}</title></head>\
             <body><p>{}</p></body></html>\n",
            escape_html(message)
        );
        Response::new(
            status,
            "text/html; charset=utf-8",
            inject_reload(html.into_bytes(), version),
        )
    }

    fn write_to(self, stream: &mut impl Write, head_only: bool) -> io::Result<()> {
        let len = match &self.body {
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::File(_, len) => *len,
        };
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {len}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if head_only {
            return Ok(());
        }
        match self.body {
            Body::Bytes(bytes) => stream.write_all(&bytes),
            Body::File(file, len) => io::copy(&mut file.take(len), stream).map(drop),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        for raw in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2FCargo.toml",
            "/..%2fCargo.toml",
            "/a/../../x",
            "//etc/passwd",
            "/%2F%2Fetc/passwd",
            "/%2fetc/passwd",
            "/a%00b",
            "/a%5c..%5cb",
            "/C:/Windows",
            "/%zz",
            "/%2",
            "relative",
            "http://example.com/",
            "/.rulebook/../../x",
        ] {
            assert_eq!(safe_relative(raw), Err(Unsafe::Escapes), "{raw}");
        }
        assert_eq!(
            safe_relative("/en/./a%20b.html"),
            Ok((PathBuf::from("en/a b.html"), false))
        );
        assert_eq!(safe_relative("/en/"), Ok((PathBuf::from("en"), true)));
        assert_eq!(safe_relative("/"), Ok((PathBuf::new(), true)));
        assert_eq!(
            safe_relative("/a.b/c..d"),
            Ok((PathBuf::from("a.b/c..d"), false))
        );
    }

    #[test]
    fn refuses_dot_files_and_folders_however_spelled() {
        for raw in [
            "/.rulebook",
            "/.rulebook/",
            "/.rulebook/facts.bin",
            "/%2erulebook/x",
            "/%2Erulebook%2Fx",
            "/./.rulebook/x",
            "/en//.rulebook/x",
            "/en/%2e%2e%2e/x",
            "/.RULEBOOK/x",
            "/en/.env",
            "/...",
            "/%2E",
        ] {
            let expected = if raw == "/%2E" {
                // `/.` is the root folder, not a dot name
                Ok((PathBuf::new(), false))
            } else {
                Err(Unsafe::Hidden)
            };
            assert_eq!(safe_relative(raw), expected, "{raw}");
        }
    }

    #[test]
    fn injects_before_the_last_body_end_tag() {
        let html = b"<html><BODY>x</Body></html>".to_vec();
        let out = String::from_utf8(inject_reload(html, "v1")).unwrap();
        assert!(out.starts_with("<html><BODY>x<script>"));
        assert!(out.ends_with("</script>\n</Body></html>"));
        assert!(out.contains("const seen = \"v1\""));
        let out = String::from_utf8(inject_reload(b"<p>no body".to_vec(), "v1")).unwrap();
        assert!(out.starts_with("<p>no body<script>"));
    }

    #[test]
    fn content_types() {
        for (file, ty) in [
            ("a.HTML", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("rules.json", "application/json"),
            ("a.svg", "image/svg+xml"),
            ("a.png", "image/png"),
            ("f.woff2", "font/woff2"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(file)), ty);
        }
    }

    #[test]
    fn parses_only_well_formed_request_lines() {
        let ok = Request::parse(b"GET /a?b HTTP/1.1\r\nX-A: b\r\nhOsT:  x:1 \r\n\r\n").unwrap();
        assert_eq!(
            (ok.method, ok.target, ok.version, ok.host),
            ("GET", "/a?b", "HTTP/1.1", Some("x:1"))
        );
        let no_host = Request::parse(b"GET / HTTP/1.0\n\n").unwrap();
        assert_eq!(no_host.host, None);
        for bad in [
            &b"GET /a\r\n\r\n"[..],
            b"GET /a b HTTP/1.1\r\n\r\n",
            b"GET /a HTTP/2\r\n\r\n",
            b"GET /a HTTP/1.2\r\n\r\n",
            b"GET /a\x01 HTTP/1.1\r\n\r\n",
            b"\xff\xfe\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.com\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: localhost\r\n evil.com\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
        ] {
            assert!(
                Request::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn quotes_are_printable_and_short() {
        assert_eq!(quote("evil.com"), "evil.com");
        assert_eq!(quote("a\u{1b}[31mb\u{e9}"), "a?[31mb?");
        assert_eq!(quote(&"x".repeat(200)), format!("{}...", "x".repeat(80)));
    }
}
