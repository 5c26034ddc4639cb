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
}

impl ClientConfig {
    pub fn new(base_url: url::Url, api_key: impl Into<ApiKey>) -> ClientConfig {
        ClientConfig {
            base_url,
            api_key: api_key.into(),
            shop_id: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
        }
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
        })
    }
}

/// The `User-Agent` every call sends: the connector and its version.
pub const USER_AGENT: &str = concat!(
    "mirakl-connector-for-woocommerce/",
    env!("CARGO_PKG_VERSION")
);
