//! Executes a [`Request`] over HTTP and returns the raw answer; HTTP status semantics are left to
//! the client. `HttpTransport` is reqwest blocking with rustls (certificates verified), explicit
//! connect and total timeouts, gzip, the connector's `User-Agent` and `Authorization: <key>`.

use crate::mirakl::config::{ApiKey, ClientConfig, USER_AGENT};
use crate::mirakl::error::{TransportError, TransportErrorKind};
use crate::mirakl::request::{Body, Request};

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
        let http = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .gzip(true)
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Invalid, e.to_string()))?;
        Ok(HttpTransport {
            http,
            base_url: config.base_url.as_str().trim_end_matches('/').to_owned(),
            api_key: config.api_key.clone(),
        })
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
        let url = self.url(request)?;
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
            .header(reqwest::header::ACCEPT, accept);
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
        let body = response.bytes().map_err(|e| {
            let kind = if e.is_timeout() {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Dropped
            };
            TransportError::new(kind, format!("reading the answer: {}", describe(&e)))
        })?;
        Ok(Response {
            status,
            headers,
            body: body.to_vec(),
        })
    }
}

/// Sorts a send failure by whether the request may have left this machine.
fn send_error(error: reqwest::Error) -> TransportError {
    let kind = if error.is_builder() {
        TransportErrorKind::Invalid
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Dropped
    };
    TransportError::new(kind, describe(&error))
}

/// The error and its causes on one line (reqwest hides the useful part in `source()`).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
