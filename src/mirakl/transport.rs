//! Executes a [`Request`] over HTTP and returns the raw answer; HTTP status semantics are left to
//! the client. `HttpTransport` is reqwest blocking with rustls (certificates verified), explicit
//! connect and total timeouts, gzip, the connector's `User-Agent` and `Authorization: <key>`.
//!
//! Invariant: an answer never costs more memory than its API's cap ([`ResponseLimits`]). A
//! `Content-Length` over the cap is refused before the body is read; the body is read as a stream,
//! gzip inflated here (not by the HTTP stack) and both the bytes on the wire and the inflated bytes
//! stop at the cap, so a gzip bomb or an endless body ends as [`TransportErrorKind::TooLarge`].
//! A body that trickles in is cut at the attempt's deadline (`ClientConfig::timeout`), however
//! steadily its bytes come. A successful OR11 page is not held whole: it is split order by order
//! as it streams ([`crate::mirakl::order_page`]), so one giant order costs no more than the cap
//! on one order, and the page's other orders still arrive.
//!
//! Invariant: outside development mode the API key never goes to this machine, a private
//! network or a link-local address, whatever the settings say: a literal IP host is checked
//! before each call, and a name is resolved by [`CheckedResolver`], which refuses the call when
//! any address it resolves to is one of those (so a DNS answer cannot point the key at a
//! metadata service). The refusal is [`TransportErrorKind::Invalid`]: nothing was sent.

use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Instant;

use crate::mirakl::config::{ApiKey, ClientConfig, ResponseLimits, USER_AGENT};
use crate::mirakl::error::{TransportError, TransportErrorKind};
use crate::mirakl::order_page::{self, SplitError, SplitLimits};
use crate::mirakl::request::{Body, Request};
use crate::settings::{refused_address, refused_host, HostMode};

/// The raw answer to one HTTP exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let wanted = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == wanted)
            .map(|(_, value)| value.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Executes one request, once. Implementations never retry writes on their own.
pub trait Transport {
    fn execute(&self, request: &Request) -> Result<Response, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        (**self).execute(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        (**self).execute(request)
    }
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        (**self).execute(request)
    }
}

pub struct HttpTransport {
    http: reqwest::blocking::Client,
    base_url: String,
    api_key: ApiKey,
    limits: ResponseLimits,
    timeout: std::time::Duration,
    host_mode: HostMode,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .finish()
    }
}

impl HttpTransport {
    pub fn new(config: &ClientConfig) -> Result<HttpTransport, TransportError> {
        let builder = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            // Never through a proxy from the environment (HTTPS_PROXY...): a proxy resolves the
            // API host itself, out of reach of the address rules below.
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver {
                mode: config.host_mode,
            }));
        let http = builder
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Invalid, e.to_string()))?;
        Ok(HttpTransport {
            http,
            base_url: config.base_url.as_str().trim_end_matches('/').to_owned(),
            api_key: config.api_key.clone(),
            limits: config.limits,
            timeout: config.timeout,
            host_mode: config.host_mode,
        })
    }

    /// Refuses a literal IP host the rules forbid (a name is checked by the resolver).
    fn check_host(&self, url: &url::Url) -> Result<(), TransportError> {
        let refused = match url.host() {
            Some(host @ (url::Host::Ipv4(_) | url::Host::Ipv6(_))) => {
                refused_host(&host, self.host_mode)
            }
            _ => None,
        };
        match refused {
            Some(reason) => Err(TransportError::new(
                TransportErrorKind::Invalid,
                format!(
                    "the API host {} is {reason}: the call is refused",
                    url.host_str().unwrap_or_default()
                ),
            )),
            None => Ok(()),
        }
    }

    fn url(&self, request: &Request) -> Result<url::Url, TransportError> {
        let mut url = url::Url::parse(&format!("{}{}", self.base_url, request.path))
            .map_err(|e| TransportError::new(TransportErrorKind::Invalid, e.to_string()))?;
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in &request.query {
                pairs.append_pair(key, value);
            }
        }
        Ok(url)
    }
}

impl Transport for HttpTransport {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        let deadline = Instant::now() + self.timeout;
        let url = self.url(request)?;
        self.check_host(&url)?;
        let method = match request.method {
            crate::mirakl::request::Method::Get => reqwest::Method::GET,
            crate::mirakl::request::Method::Post => reqwest::Method::POST,
            crate::mirakl::request::Method::Put => reqwest::Method::PUT,
        };
        let mut authorization = reqwest::header::HeaderValue::from_str(self.api_key.expose())
            .map_err(|_| {
                TransportError::new(
                    TransportErrorKind::Invalid,
                    "the API key is not a valid header value",
                )
            })?;
        authorization.set_sensitive(true);
        let accept = if request.api.returns_csv() {
            "text/csv, application/octet-stream;q=0.9, */*;q=0.5"
        } else {
            "application/json"
        };
        let mut builder = self
            .http
            .request(method, url)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::ACCEPT, accept)
            .header(reqwest::header::ACCEPT_ENCODING, "gzip");
        builder = match &request.body {
            Body::None => builder,
            Body::Json(value) => builder.json(value),
            Body::Multipart {
                file_name,
                csv,
                fields,
            } => {
                let part = reqwest::blocking::multipart::Part::bytes(csv.clone())
                    .file_name(file_name.clone())
                    .mime_str("text/csv")
                    .map_err(|e| TransportError::new(TransportErrorKind::Invalid, e.to_string()))?;
                let mut form = reqwest::blocking::multipart::Form::new().part("file", part);
                for (name, value) in fields {
                    form = form.text(name.clone(), value.clone());
                }
                builder.multipart(form)
            }
        };
        let response = builder.send().map_err(send_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                value
                    .to_str()
                    .ok()
                    .map(|text| (name.as_str().to_ascii_lowercase(), text.to_owned()))
            })
            .collect();
        let shape = if request.api == crate::mirakl::ApiCode::OR11 && (200..300).contains(&status) {
            BodyShape::OrderPage(self.limits.for_order_pages())
        } else {
            BodyShape::Whole(self.limits.for_api(request.api))
        };
        let body = read_body(response, shape, deadline).map_err(|failure| match failure {
            ReadFailure::TooLarge(limit) => TransportError::new(
                TransportErrorKind::TooLarge { limit },
                format!("response from {} exceeded {limit} bytes", request.api),
            ),
            ReadFailure::Malformed(message) => TransportError::new(
                TransportErrorKind::Malformed,
                format!("response from {}: {message}", request.api),
            ),
            ReadFailure::Io(kind, message) => {
                TransportError::new(kind, format!("reading the answer: {message}"))
            }
        })?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// How a body is read: whole up to a cap, or as an OR11 page split order by order.
#[derive(Debug, Clone, Copy)]
enum BodyShape {
    Whole(u64),
    OrderPage(SplitLimits),
}

impl BodyShape {
    /// The most bytes read from the wire and, once inflated, from the body.
    fn stream_cap(self) -> u64 {
        match self {
            BodyShape::Whole(limit) => limit,
            BodyShape::OrderPage(limits) => limits.streamed,
        }
    }
}

/// Why a body could not be read.
enum ReadFailure {
    TooLarge(u64),
    Malformed(String),
    Io(TransportErrorKind, String),
}

/// The body, inflated when it is gzip, within its shape's caps on the wire and after inflating.
/// `Content-Length` is looked at first, so an announced giant is refused without reading it.
/// An OR11 page is split as it streams ([`order_page::split`]) and comes back as the
/// connector's own JSON of the page.
fn read_body(
    response: reqwest::blocking::Response,
    shape: BodyShape,
    deadline: Instant,
) -> Result<Vec<u8>, ReadFailure> {
    let limit = shape.stream_cap();
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(ReadFailure::TooLarge(limit));
    }
    let gzip = response
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|coding| {
                matches!(
                    coding.trim().to_ascii_lowercase().as_str(),
                    "gzip" | "x-gzip"
                )
            })
        });
    let wire = Deadline {
        inner: response,
        deadline,
    }
    .take(limit.saturating_add(1));
    let mut wire = std::io::BufReader::new(wire);
    let body: Box<dyn Read> = if gzip {
        // An empty gzip body (a 204, a HEAD) has nothing to inflate.
        if std::io::BufRead::fill_buf(&mut wire)
            .map_err(io_failure)?
            .is_empty()
        {
            return Ok(Vec::new());
        }
        Box::new(flate2::bufread::MultiGzDecoder::new(wire))
    } else {
        Box::new(wire)
    };
    match shape {
        BodyShape::Whole(limit) => capped(body, limit),
        BodyShape::OrderPage(limits) => {
            // The wire is cut one byte past the cap; the split counts what it reads too, so
            // either way an endless page ends as too large.
            let limits = SplitLimits {
                streamed: limits.streamed.min(limit),
                ..limits
            };
            match order_page::split(std::io::BufReader::new(body), limits) {
                Ok(parts) => Ok(parts.to_json()),
                Err(SplitError::TooLarge { limit }) => Err(ReadFailure::TooLarge(limit)),
                Err(error @ SplitError::Malformed(_)) => {
                    Err(ReadFailure::Malformed(error.to_string()))
                }
                Err(SplitError::Io(error)) => Err(io_failure(error)),
            }
        }
    }
}

/// Reads `reader` to its end, refusing more than `limit` bytes (it reads at most one more).
fn capped(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadFailure> {
    let mut body = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(io_failure)?;
    if u64::try_from(body.len()).map_or(true, |length| length > limit) {
        return Err(ReadFailure::TooLarge(limit));
    }
    Ok(body)
}

fn io_failure(error: std::io::Error) -> ReadFailure {
    let timed_out = error.kind() == std::io::ErrorKind::TimedOut
        || error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout);
    let kind = if timed_out {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Dropped
    };
    ReadFailure::Io(kind, describe(&error))
}

/// A body that must be read by `deadline`: each read after it fails as timed out, so a server
/// sending a byte at a time cannot hold the runner past the attempt's timeout.
struct Deadline<R> {
    inner: R,
    deadline: Instant,
}

impl<R: Read> Read for Deadline<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if Instant::now() >= self.deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the answer did not arrive within the timeout",
            ));
        }
        self.inner.read(buf)
    }
}

/// The API host resolved to an address the key must never go to.
#[derive(Debug)]
pub struct RefusedAddress {
    pub host: String,
    pub address: IpAddr,
    pub reason: &'static str,
}

impl std::fmt::Display for RefusedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the API host {} resolves to {}, {}: the call is refused",
            self.host, self.address, self.reason
        )
    }
}

impl std::error::Error for RefusedAddress {}

/// Checks what a name resolved to, in production: every address must be allowed, or the call
/// is refused (one bad answer among good ones is refused too: the stack may pick any).
pub fn check_resolved(
    host: &str,
    addresses: &[SocketAddr],
    mode: HostMode,
) -> Result<(), RefusedAddress> {
    match addresses
        .iter()
        .find_map(|a| refused_address(a.ip(), mode).map(|r| (a.ip(), r)))
    {
        Some((address, reason)) => Err(RefusedAddress {
            host: host.to_owned(),
            address,
            reason,
        }),
        None => Ok(()),
    }
}

/// The system resolver (on a blocking thread of reqwest's runtime, so the connect timeout still
/// holds), then [`check_resolved`].
/// In development mode loopback and private answers pass; link-local and unspecified ones never.
struct CheckedResolver {
    mode: HostMode,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let mode = self.mode;
        Box::pin(async move {
            let lookup = host.clone();
            let addresses: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                (lookup.as_str(), 0)
                    .to_socket_addrs()
                    .map(Iterator::collect)
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            check_resolved(&host, &addresses, mode)?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Sorts a send failure by whether the request may have left this machine.
fn send_error(error: reqwest::Error) -> TransportError {
    let refused = {
        let mut source = std::error::Error::source(&error);
        let mut found = false;
        while let Some(cause) = source {
            found |= cause.is::<RefusedAddress>();
            source = cause.source();
        }
        found
    };
    // A refused DNS answer: nothing was sent, and the answer may change (a filter, a failover):
    // like a connection that could not be made, tried again later, its message naming why.
    let kind = if error.is_builder() {
        TransportErrorKind::Invalid
    } else if refused || error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Dropped
    };
    TransportError::new(kind, describe(&error))
}

/// The error and its causes on one line (reqwest hides the useful part in `source()`).
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
