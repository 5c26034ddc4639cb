//! Connection settings for the Mirakl client. The API key is wrapped so that it never shows in
//! `Debug` output, logs or error messages; only the transport reads it, to set `Authorization`.

use std::fmt;
use std::time::Duration;

/// A Mirakl shop API key. `Debug` prints a redaction, never the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The raw key, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> ApiKey {
        ApiKey(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> ApiKey {
        ApiKey(key.to_owned())
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The operator's API root, ending in `/api` (e.g. `https://acme.mirakl.net/api`).
    pub base_url: url::Url,
    pub api_key: ApiKey,
    /// Only needed when the key's user manages several shops.
    pub shop_id: Option<i64>,
    pub connect_timeout: Duration,
    /// Total time for one attempt: connect, send, and read the whole answer.
    pub timeout: Duration,
    /// The most bytes an answer may have, per kind of API.
    pub limits: ResponseLimits,
    /// Which API hosts the transport may connect to: outside development mode it refuses a
    /// literal or resolved address that is loopback, private or link-local
    /// ([`crate::settings::refused_address`]).
    pub host_mode: crate::settings::HostMode,
}

/// Default cap on a JSON answer (an OR11 page of 100 orders is well under 1 MiB).
pub const DEFAULT_JSON_LIMIT: u64 = crate::settings::DEFAULT_MAX_RESPONSE_MIB * 1024 * 1024;
/// Default cap on a CSV export (OF51 of a large catalogue, OF03 error reports).
pub const DEFAULT_CSV_LIMIT: u64 = crate::settings::DEFAULT_MAX_EXPORT_MIB * 1024 * 1024;

/// The most bytes an answer may have, counted after gzip is inflated: JSON answers and CSV
/// exports get separate caps. A larger answer is [`crate::mirakl::MiraklError::TooLarge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseLimits {
    pub json_bytes: u64,
    pub csv_bytes: u64,
}

impl Default for ResponseLimits {
    fn default() -> ResponseLimits {
        ResponseLimits {
            json_bytes: DEFAULT_JSON_LIMIT,
            csv_bytes: DEFAULT_CSV_LIMIT,
        }
    }
}

impl ResponseLimits {
    /// How OR11 pages are read ([`crate::mirakl::order_page`]): one order, and the orders kept
    /// from a page together, within the JSON cap (what a whole page could take before pages were
    /// split); the page as it streams by, four times the larger of the two caps (memory is not
    /// at stake there, only the time spent reading, which the attempt's timeout also bounds):
    /// 8 MiB, 8 MiB and 256 MiB by default.
    pub fn for_order_pages(&self) -> crate::mirakl::order_page::SplitLimits {
        crate::mirakl::order_page::SplitLimits {
            per_order: self.json_bytes,
            kept: self.json_bytes,
            streamed: self.json_bytes.max(self.csv_bytes).saturating_mul(4),
        }
    }

    /// The cap for this API's answers.
    pub fn for_api(&self, api: crate::mirakl::ApiCode) -> u64 {
        if api.returns_csv() {
            self.csv_bytes
        } else {
            self.json_bytes
        }
    }
}

impl ClientConfig {
    pub fn new(base_url: url::Url, api_key: impl Into<ApiKey>) -> ClientConfig {
        ClientConfig {
            base_url,
            api_key: api_key.into(),
            shop_id: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            limits: ResponseLimits::default(),
            host_mode: crate::settings::HostMode::Production,
        }
    }

    /// This configuration in development mode: a sandbox on loopback or the local network may
    /// be reached.
    pub fn development(mut self) -> ClientConfig {
        self.host_mode = crate::settings::HostMode::Development;
        self
    }
}

impl ClientConfig {
    /// The client's settings from the validated connection settings.
    pub fn from_settings(
        settings: &crate::settings::ConnectionSettings,
    ) -> Result<ClientConfig, url::ParseError> {
        Ok(ClientConfig {
            base_url: url::Url::parse(&settings.api_url)?,
            api_key: ApiKey::new(settings.api_key.clone()),
            shop_id: settings.shop_id,
            connect_timeout: settings.connect_timeout(),
            timeout: settings.timeout(),
            limits: ResponseLimits {
                json_bytes: settings.max_response_bytes(),
                csv_bytes: settings.max_export_bytes(),
            },
            host_mode: settings.host_mode,
        })
    }
}

/// The `User-Agent` every call sends: the connector and its version.
pub const USER_AGENT: &str = concat!(
    "mirakl-connector-for-woocommerce/",
    env!("CARGO_PKG_VERSION")
);
