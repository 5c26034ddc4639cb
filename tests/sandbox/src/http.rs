//! A small blocking HTTP/1.1 server on `std::net`, one thread per connection.
//!
//! Owning the socket is what lets fault injection drop a connection before or after a request is
//! processed and send truncated bodies. Invariants: a request never panics the server (handler
//! panics are caught and become 500), bodies over the configured limit get 413 without being read,
//! and every error the server produces itself is a Mirakl-shaped JSON `{status, message}`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long an idle keep-alive connection is kept open.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A parsed request: method, decoded path, decoded query pairs, headers (lower-case names), body.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// First value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// First value of a query parameter; empty values count as absent.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a query parameter, repeated or comma-separated.
    pub fn param_list(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The media type of the body, lower-case, without parameters.
    pub fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
}

/// What the connection does after the handler ran.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Send this response.
    Respond(Response),
    /// Close the socket without answering (a dropped connection as the client sees it).
    Drop,
    /// Send the head and only the first bytes of the body, then close.
    Truncate(Response),
}

/// A response: status, extra headers, body bytes.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json;charset=UTF-8".into(),
            )],
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    pub fn no_content() -> Response {
        Response {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Mirakl's error body: `{"status": <code>, "message": "..."}`.
    pub fn error(status: u16, message: impl Into<String>) -> Response {
        Response::json(
            status,
            &serde_json::json!({ "status": status, "message": message.into() }),
        )
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// The request handler the server calls; must be cheap to share between connection threads.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, request: Request) -> Outcome;
    /// The largest body accepted, in bytes.
    fn max_body_bytes(&self) -> usize;
}

/// Open connections, so that stopping the server can close them at once.
#[derive(Default)]
pub struct Connections {
    next_id: std::sync::atomic::AtomicU64,
    open: std::sync::Mutex<std::collections::HashMap<u64, TcpStream>>,
}

impl Connections {
    fn add(&self, stream: &TcpStream) -> Option<u64> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let clone = stream.try_clone().ok()?;
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, clone);
        Some(id)
    }

    fn remove(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// Shuts every open connection down; their threads then end.
    pub fn close_all(&self) {
        for (_, stream) in self.open.lock().unwrap_or_else(|p| p.into_inner()).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// Accepts connections until `stop` is set; each connection runs on its own thread.
pub fn serve(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    stop: Arc<AtomicBool>,
    connections: Arc<Connections>,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Some(id) = connections.add(&stream) else {
            continue;
        };
        let handler = Arc::clone(&handler);
        let stop = Arc::clone(&stop);
        let registry = Arc::clone(&connections);
        let spawned = std::thread::Builder::new()
            .name("sandbox-conn".into())
            .spawn(move || {
                serve_connection(stream, handler, stop);
                registry.remove(id);
            });
        if spawned.is_err() {
            connections.remove(id);
        }
    }
}

fn serve_connection(stream: TcpStream, handler: Arc<dyn Handler>, stop: Arc<AtomicBool>) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let head = match read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(response) => {
                let _ = write_response(&mut writer, &response, true, "");
                return;
            }
        };
        let parsed = match parse_head(&head) {
            Ok(p) => p,
            Err(response) => {
                let _ = write_response(&mut writer, &response, true, "");
                return;
            }
        };
        let (mut request, keep_alive, framing) = parsed;
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let max = handler.max_body_bytes();
        let wants_continue = request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        let fits = match framing {
            Framing::Length(n) => n <= max,
            _ => true,
        };
        if wants_continue && fits {
            // curl waits for this before sending large uploads.
            let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        match read_body(&mut reader, framing, max) {
            Ok(body) => request.body = body,
            Err(BodyError::TooLarge) => {
                let response = Response::error(413, format!("Request body exceeds {max} bytes"));
                let _ = write_response(&mut writer, &response, true, &request.method);
                linger_and_close(&writer, &mut reader);
                return;
            }
            Err(BodyError::Malformed) => {
                let response = Response::error(400, "Malformed request body framing");
                let _ = write_response(&mut writer, &response, true, &request.method);
                return;
            }
            Err(BodyError::Io) => return,
        }
        let method = request.method.clone();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.handle(request)))
                .unwrap_or_else(|_| {
                    Outcome::Respond(Response::error(500, "Internal sandbox error"))
                });
        match outcome {
            Outcome::Respond(response) => {
                if write_response(&mut writer, &response, !keep_alive, &method).is_err()
                    || !keep_alive
                {
                    let _ = writer.shutdown(Shutdown::Both);
                    return;
                }
            }
            Outcome::Drop => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Outcome::Truncate(response) => {
                let _ = write_truncated(&mut writer, &response);
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Gives the client a moment to read an early error response before the socket closes.
fn linger_and_close(writer: &TcpStream, reader: &mut BufReader<TcpStream>) {
    let _ = writer.shutdown(Shutdown::Write);
    let _ = reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 64 * 1024];
    let mut drained = 0usize;
    while drained < 64 * 1024 * 1024 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Reads up to the blank line; `Ok(None)` when the peer closed or went idle between requests.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, Response> {
    let mut head = Vec::with_capacity(1024);
    loop {
        let mut line = Vec::new();
        match reader
            .by_ref()
            .take(MAX_HEAD_BYTES as u64)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(_) => return Ok(None),
        }
        if head.is_empty() && (line == b"\r\n" || line == b"\n") {
            continue; // tolerate stray blank lines between keep-alive requests
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD_BYTES || (line.len() >= MAX_HEAD_BYTES && !line.ends_with(b"\n")) {
            return Err(Response::error(431, "Request header fields too large"));
        }
        if line == b"\r\n" || line == b"\n" {
            return Ok(Some(head));
        }
        if !line.ends_with(b"\n") {
            return Ok(None); // EOF in the middle of a head
        }
    }
}

enum Framing {
    None,
    Length(usize),
    Chunked,
}

fn parse_head(head: &[u8]) -> Result<(Request, bool, Framing), Response> {
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(Response::error(400, "Malformed HTTP request")),
    }
    let method = parsed.method.unwrap_or("GET").to_string();
    let target = parsed.path.unwrap_or("/");
    let http10 = parsed.version == Some(0);
    let mut request = Request {
        method,
        ..Request::default()
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    request.path = percent_decode(path, false);
    request.query = parse_query(query);
    let mut keep_alive = !http10;
    let mut framing = Framing::None;
    for h in parsed.headers.iter() {
        let name = h.name.to_ascii_lowercase();
        let value = String::from_utf8_lossy(h.value).trim().to_string();
        match name.as_str() {
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") {
                    keep_alive = true;
                }
            }
            "content-length" => match value.parse::<usize>() {
                Ok(n) => framing = Framing::Length(n),
                Err(_) => return Err(Response::error(400, "Invalid Content-Length")),
            },
            "transfer-encoding" if value.to_ascii_lowercase().contains("chunked") => {
                framing = Framing::Chunked
            }
            _ => {}
        }
        request.headers.push((name, value));
    }
    Ok((request, keep_alive, framing))
}

enum BodyError {
    TooLarge,
    Malformed,
    Io,
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    framing: Framing,
    max: usize,
) -> Result<Vec<u8>, BodyError> {
    match framing {
        Framing::None => Ok(Vec::new()),
        Framing::Length(n) if n > max => Err(BodyError::TooLarge),
        Framing::Length(n) => {
            let mut body = vec![0u8; n];
            reader.read_exact(&mut body).map_err(|_| BodyError::Io)?;
            Ok(body)
        }
        Framing::Chunked => {
            let mut body = Vec::new();
            loop {
                let mut size_line = String::new();
                reader
                    .read_line(&mut size_line)
                    .map_err(|_| BodyError::Io)?;
                let size_text = size_line.trim().split(';').next().unwrap_or("");
                let size =
                    usize::from_str_radix(size_text, 16).map_err(|_| BodyError::Malformed)?;
                if size == 0 {
                    // trailers until the blank line
                    loop {
                        let mut trailer = String::new();
                        let n = reader.read_line(&mut trailer).map_err(|_| BodyError::Io)?;
                        if n == 0 || trailer.trim().is_empty() {
                            return Ok(body);
                        }
                    }
                }
                if body.len() + size > max {
                    return Err(BodyError::TooLarge);
                }
                let start = body.len();
                body.resize(start + size, 0);
                reader
                    .read_exact(&mut body[start..])
                    .map_err(|_| BodyError::Io)?;
                let mut crlf = String::new();
                reader.read_line(&mut crlf).map_err(|_| BodyError::Io)?;
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn head_bytes(response: &Response, close: bool, body_len: usize) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {body_len}\r\n"));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

fn write_response(
    writer: &mut TcpStream,
    response: &Response,
    close: bool,
    method: &str,
) -> std::io::Result<()> {
    let mut out = head_bytes(response, close, response.body.len());
    if method != "HEAD" && response.status != 204 {
        out.extend_from_slice(&response.body);
    }
    writer.write_all(&out)?;
    writer.flush()
}

/// Announces the full length but sends about half of the body.
fn write_truncated(writer: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut out = head_bytes(response, true, response.body.len());
    let cut = response.body.len() / 2;
    out.extend_from_slice(&response.body[..cut]);
    writer.write_all(&out)?;
    writer.flush()
}

/// Splits and percent-decodes a query string (`+` is a space, as in forms).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Percent-decoding that never fails: invalid escapes are kept literally.
pub fn percent_decode(input: &str, plus_is_space: bool) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value (unreserved characters kept).
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for b in input.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// Parses a `multipart/form-data` body; `None` when the boundary is missing or the body is not
/// multipart at all.
pub fn parse_multipart(request: &Request) -> Option<Vec<Part>> {
    let content_type = request.header("content-type")?;
    let boundary = content_type.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("boundary")).then(|| v.trim().trim_matches('"').to_string())
    })?;
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &request.body;
    let mut parts = Vec::new();
    let mut positions = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(&body[from..], &delimiter) {
        positions.push(from + pos);
        from += pos + delimiter.len();
    }
    if positions.is_empty() {
        return None;
    }
    for window in positions.windows(2) {
        let start = window[0] + delimiter.len();
        let end = window[1];
        let mut section = &body[start..end];
        section = section
            .strip_prefix(b"\r\n")
            .or_else(|| section.strip_prefix(b"\n"))
            .unwrap_or(section);
        section = section
            .strip_suffix(b"\r\n")
            .or_else(|| section.strip_suffix(b"\n"))
            .unwrap_or(section);
        let (head, data) = match find(section, b"\r\n\r\n") {
            Some(p) => (&section[..p], &section[p + 4..]),
            None => match find(section, b"\n\n") {
                Some(p) => (&section[..p], &section[p + 2..]),
                None => continue,
            },
        };
        let head = String::from_utf8_lossy(head);
        let mut name = String::new();
        let mut filename = None;
        for line in head.lines() {
            let Some((hname, hvalue)) = line.split_once(':') else {
                continue;
            };
            if !hname.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in hvalue.split(';').map(str::trim) {
                if let Some((k, v)) = param.split_once('=') {
                    let v = v.trim().trim_matches('"').to_string();
                    match k.trim() {
                        "name" => name = v,
                        "filename" => filename = Some(v),
                        _ => {}
                    }
                }
            }
        }
        parts.push(Part {
            name,
            filename,
            data: data.to_vec(),
        });
    }
    Some(parts)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        match haystack[i..haystack.len() - needle.len() + 1]
            .iter()
            .position(|&b| b == first)
        {
            Some(p) => {
                i += p;
                if &haystack[i..i + needle.len()] == needle {
                    return Some(i);
                }
                i += 1;
            }
            None => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(
            percent_decode("2024-01-01T00%3A00%3A00%2B01%3A00", true),
            "2024-01-01T00:00:00+01:00"
        );
        assert_eq!(percent_decode("a+b%zz%4", true), "a b%zz%4");
    }

    #[test]
    fn parses_multipart_parts() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\nContent-Type: text/csv\r\n\r\na;b\r\n1;2\r\n--XX\r\nContent-Disposition: form-data; name=\"import_mode\"\r\n\r\nNORMAL\r\n--XX--\r\n";
        let request = Request {
            headers: vec![(
                "content-type".into(),
                "multipart/form-data; boundary=XX".into(),
            )],
            body: body.to_vec(),
            ..Request::default()
        };
        let parts = parse_multipart(&request).expect("multipart");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "file");
        assert_eq!(parts[0].data, b"a;b\r\n1;2");
        assert_eq!(parts[1].data, b"NORMAL");
    }
}
