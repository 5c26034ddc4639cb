//! A Mirakl call as plain data: API code, method, path, query and body, built by the pure
//! functions of the resource modules and executed by a [`crate::mirakl::transport::Transport`].
//! Invariant: paths are relative to the base URL (which ends in `/api`) and already percent-encoded.

use serde_json::Value;
use std::fmt;

/// The Mirakl API codes this client speaks (docs, "Mirakl shop API").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiCode {
    A01,
    V01,
    SH21,
    RE01,
    OR11,
    OR21,
    OR23,
    OR24,
    OR28,
    OR29,
    ST01,
    STO01,
    STO02,
    OF01,
    OF02,
    OF03,
    OF21,
    OF51,
    TL02,
    IV01,
    SBC11,
}

impl ApiCode {
    /// Every code, in documentation order.
    pub const ALL: [ApiCode; 21] = [
        ApiCode::A01,
        ApiCode::V01,
        ApiCode::SH21,
        ApiCode::RE01,
        ApiCode::OR11,
        ApiCode::OR21,
        ApiCode::OR23,
        ApiCode::OR24,
        ApiCode::OR28,
        ApiCode::OR29,
        ApiCode::ST01,
        ApiCode::STO01,
        ApiCode::STO02,
        ApiCode::OF01,
        ApiCode::OF02,
        ApiCode::OF03,
        ApiCode::OF21,
        ApiCode::OF51,
        ApiCode::TL02,
        ApiCode::IV01,
        ApiCode::SBC11,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiCode::A01 => "A01",
            ApiCode::V01 => "V01",
            ApiCode::SH21 => "SH21",
            ApiCode::RE01 => "RE01",
            ApiCode::OR11 => "OR11",
            ApiCode::OR21 => "OR21",
            ApiCode::OR23 => "OR23",
            ApiCode::OR24 => "OR24",
            ApiCode::OR28 => "OR28",
            ApiCode::OR29 => "OR29",
            ApiCode::ST01 => "ST01",
            ApiCode::STO01 => "STO01",
            ApiCode::STO02 => "STO02",
            ApiCode::OF01 => "OF01",
            ApiCode::OF02 => "OF02",
            ApiCode::OF03 => "OF03",
            ApiCode::OF21 => "OF21",
            ApiCode::OF51 => "OF51",
            ApiCode::TL02 => "TL02",
            ApiCode::IV01 => "IV01",
            ApiCode::SBC11 => "SBC11",
        }
    }

    /// Whether the API answers with CSV rather than JSON.
    pub fn returns_csv(self) -> bool {
        matches!(self, ApiCode::OF03 | ApiCode::OF51)
    }
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }

    /// A write may change state on Mirakl: once it may have been sent, it is never re-sent blindly.
    pub fn is_write(self) -> bool {
        !matches!(self, Method::Get)
    }
}

#[derive(Clone, PartialEq)]
pub enum Body {
    None,
    Json(Value),
    /// A `multipart/form-data` upload: the CSV goes in the part named `file`.
    Multipart {
        file_name: String,
        csv: Vec<u8>,
        fields: Vec<(String, String)>,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(value) => f.debug_tuple("Json").field(value).finish(),
            Body::Multipart {
                file_name,
                csv,
                fields,
            } => f
                .debug_struct("Multipart")
                .field("file_name", file_name)
                .field("csv_bytes", &csv.len())
                .field("fields", fields)
                .finish(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub api: ApiCode,
    pub method: Method,
    /// Relative to the base URL, e.g. `/orders/ORDER-1/accept`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    /// The key whose call budget this request spends (see [`crate::mirakl::budget::limits_for`]):
    /// the API code, or a variant of it for follow-up pages and full exports.
    pub budget_key: &'static str,
}

impl Request {
    pub fn new(api: ApiCode, method: Method, path: impl Into<String>) -> Request {
        Request {
            api,
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            budget_key: api.as_str(),
        }
    }

    pub fn get(api: ApiCode, path: impl Into<String>) -> Request {
        Request::new(api, Method::Get, path)
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Request {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn query_opt<V: ToString>(self, key: &str, value: Option<V>) -> Request {
        match value {
            Some(value) => self.query(key, value.to_string()),
            None => self,
        }
    }

    /// A comma-separated list parameter, omitted when empty.
    pub fn query_list<V: AsRef<str>>(self, key: &str, values: &[V]) -> Request {
        if values.is_empty() {
            return self;
        }
        let joined: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
        self.query(key, joined.join(","))
    }

    /// A repeated parameter (`key=a&key=b`), as TL02 expects for its array filters.
    pub fn query_repeated<V: AsRef<str>>(mut self, key: &str, values: &[V]) -> Request {
        for value in values {
            self.query.push((key.to_owned(), value.as_ref().to_owned()));
        }
        self
    }

    pub fn json(mut self, body: Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    pub fn budget_key(mut self, key: &'static str) -> Request {
        self.budget_key = key;
        self
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    pub fn is_write(&self) -> bool {
        self.method.is_write()
    }
}

/// Percent-encodes one path segment (an order id, an import id) so it cannot change the path.
pub fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Mirakl's date format for query parameters: ISO-8601 in UTC with milliseconds.
pub fn format_date(date: &chrono::DateTime<chrono::Utc>) -> String {
    date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
