//! The HTTP side: one request per connection (`Connection: close`), GET and
//! HEAD only, a bounded request head, and paths resolved so that nothing
//! outside the output folder can be named, by `..`, encodings or symlinks.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{RESERVED_PREFIX, Shared};

/// Largest request head (request line and headers) read.
const MAX_HEAD: usize = 16 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `/__rulebook/version?since=V` waits for a new build.
const LONG_POLL: Duration = Duration::from_secs(25);
const VERSION_PATH: &str = "/__rulebook/version";

/// Serve one connection. Every failure stays inside it.
pub(super) fn handle(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let (response, head_only) = match read_head(&mut stream) {
        Head::Complete(head) => match Request::parse(&head) {
            Some(request) => (respond(&request, shared), request.method == "HEAD"),
            None => (Response::text(400, "bad request\n"), false),
        },
        Head::TooLarge => (Response::text(431, "request header too large\n"), false),
        Head::Incomplete => return,
    };
    let _ = response.write_to(&mut stream, head_only);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    // Read what the client still sends (a body, the rest of an oversized
    // head) for a moment, so closing does not reset the connection before
    // it has read the response.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = io::copy(&mut (&mut stream).take(1 << 20), &mut io::sink());
}

enum Head {
    Complete(Vec<u8>),
    TooLarge,
    Incomplete,
}

fn read_head(stream: &mut TcpStream) -> Head {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Head::Incomplete,
            Ok(n) => n,
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
}

impl<'a> Request<'a> {
    /// The request line; headers are not needed.
    fn parse(head: &'a [u8]) -> Option<Self> {
        let line_end = memchr::memchr(b'\n', head)?;
        let line = std::str::from_utf8(&head[..line_end]).ok()?;
        let mut parts = line.trim_end_matches('\r').split(' ');
        let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
        let valid_target = !target.is_empty() && target.bytes().all(|b| b > 0x20 && b != 0x7f);
        if parts.next().is_some() || !version.starts_with("HTTP/1.") || !valid_target {
            return None;
        }
        Some(Request { method, target })
    }
}

fn respond(request: &Request<'_>, shared: &Shared) -> Response {
    if request.method != "GET" && request.method != "HEAD" {
        let mut response = Response::text(405, "only GET and HEAD\n");
        response.headers.push(("Allow", "GET, HEAD".to_owned()));
        return response;
    }
    let target = request.target.split('#').next().unwrap_or_default();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
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
    let since = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("since="));
    let version = match since {
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
    /// The output folder does not exist (no build has succeeded).
    NoSite,
}

/// Map a request path to a file under `out`, or refuse. The path must be
/// relative once decoded (no `..`, NUL, backslash, drive or `//` prefix), and
/// the file it names, symlinks resolved, must still lie inside `out`.
pub(super) fn resolve(out: &Path, raw_path: &str) -> Resolved {
    let Some((relative, trailing_slash)) = safe_relative(raw_path) else {
        return Resolved::NotFound;
    };
    let Some(base) = canonical_out(out) else {
        return Resolved::NoSite;
    };
    let inside = |p: &Path| p.canonicalize().ok().filter(|real| real.starts_with(&base));
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

/// The decoded path as a relative path, and whether it ended with `/`.
fn safe_relative(raw: &str) -> Option<(PathBuf, bool)> {
    if !raw.starts_with('/') || raw.starts_with("//") {
        return None;
    }
    let decoded = String::from_utf8(percent_decode(raw)?).ok()?;
    if decoded.starts_with("//") || decoded.contains(['\0', '\\']) {
        return None;
    }
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s if s.contains(':') || s.chars().any(char::is_control) => return None,
            s => relative.push(s),
        }
    }
    Some((relative, decoded.ends_with('/')))
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

    fn write_to(self, stream: &mut TcpStream, head_only: bool) -> io::Result<()> {
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
        404 => "Not Found",
        405 => "Method Not Allowed",
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
        ] {
            assert_eq!(safe_relative(raw), None, "{raw}");
        }
        assert_eq!(
            safe_relative("/en/./a%20b.html"),
            Some((PathBuf::from("en/a b.html"), false))
        );
        assert_eq!(safe_relative("/en/"), Some((PathBuf::from("en"), true)));
        assert_eq!(safe_relative("/"), Some((PathBuf::new(), true)));
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
        let ok = Request::parse(b"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!((ok.method, ok.target), ("GET", "/a?b"));
        for bad in [
            &b"GET /a\r\n\r\n"[..],
            b"GET /a b HTTP/1.1\r\n\r\n",
            b"GET /a HTTP/2\r\n\r\n",
            b"GET /a\x01 HTTP/1.1\r\n\r\n",
            b"\xff\xfe\r\n\r\n",
        ] {
            assert!(Request::parse(bad).is_none());
        }
    }
}
