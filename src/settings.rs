//! Connection settings: the Mirakl API URL, the shop API key, the shop id and the timeouts,
//! validated and normalised once by the core so PHP and Rust agree on what is valid.
//!
//! Invariants of a [`ConnectionSettings`]: the URL is https (http only on a loopback host in
//! development mode) and ends in `/api`; its host is never link-local or unspecified, and never
//! loopback or a private network outside development mode ([`HostMode`]); when the allow-list
//! of API hosts is not empty the host is on it; the key is non-empty with no whitespace and never appears in `Debug` output
//! or in an error message; timeouts are within bounds and connect ≤ total; the response caps
//! are within bounds (JSON answers and CSV exports, in MiB).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::error::{Coded, ErrorCode};

pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
const CONNECT_TIMEOUT_BOUNDS: (u64, u64) = (1, 60);
const TIMEOUT_BOUNDS: (u64, u64) = (5, 300);
/// Default cap on a JSON answer, in MiB (see [`crate::mirakl::ResponseLimits`]).
pub const DEFAULT_MAX_RESPONSE_MIB: u64 = 8;
/// Default cap on a CSV export (OF51, OF03), in MiB.
pub const DEFAULT_MAX_EXPORT_MIB: u64 = 64;
const MAX_RESPONSE_BOUNDS: (u64, u64) = (1, 256);
const MAX_EXPORT_BOUNDS: (u64, u64) = (1, 1024);
const MIB: u64 = 1024 * 1024;

/// Where the connector runs, as the plugin says (wp-config's `MIRAKL_CONNECTOR_DEVELOPMENT`):
/// only development mode lets the API key go to a loopback or private-network host (a sandbox on
/// this machine or the local network). Link-local and unspecified addresses are refused in
/// both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostMode {
    #[default]
    Production,
    Development,
}

impl HostMode {
    pub fn from_development(development: bool) -> HostMode {
        if development {
            HostMode::Development
        } else {
            HostMode::Production
        }
    }
}

/// The most entries the allow-list of API hosts may have.
pub const MAX_ALLOWED_HOSTS: usize = 50;

/// Validated connection settings.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionSettings {
    /// Base URL of the shop API, ending in `/api` (`https://<instance>.mirakl.net/api`).
    pub api_url: String,
    pub api_key: String,
    /// Only needed when the key's user has several shops.
    pub shop_id: Option<i64>,
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    /// Cap on a JSON answer, in MiB after gzip is inflated (shown only when not the default).
    #[serde(skip_serializing_if = "is_default_response_mib")]
    pub max_response_mib: u64,
    /// Cap on a CSV export (OF51, OF03), in MiB (shown only when not the default).
    #[serde(skip_serializing_if = "is_default_export_mib")]
    pub max_export_mib: u64,
    /// The API hosts the key may be sent to (`acme.mirakl.net`, or `*.mirakl.net` for any of its
    /// subdomains), lower case; empty: any host the rules allow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_hosts: Vec<String>,
    /// The mode the settings were validated in; the client checks the addresses it connects to
    /// by the same rules. Not a stored setting: the plugin passes it in.
    #[serde(skip)]
    pub host_mode: HostMode,
}

fn is_default_response_mib(mib: &u64) -> bool {
    *mib == DEFAULT_MAX_RESPONSE_MIB
}

fn is_default_export_mib(mib: &u64) -> bool {
    *mib == DEFAULT_MAX_EXPORT_MIB
}

impl ConnectionSettings {
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_mib.saturating_mul(MIB)
    }

    pub fn max_export_bytes(&self) -> u64 {
        self.max_export_mib.saturating_mul(MIB)
    }
}

impl fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSettings")
            .field("api_url", &self.api_url)
            .field("api_key", &"<redacted>")
            .field("shop_id", &self.shop_id)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("timeout_secs", &self.timeout_secs)
            .field("max_response_mib", &self.max_response_mib)
            .field("max_export_mib", &self.max_export_mib)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("host_mode", &self.host_mode)
            .finish()
    }
}

/// A setting that failed validation. The message starts with the field's name and never
/// contains the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct SettingsError {
    pub field: &'static str,
    pub reason: String,
}

impl Coded for SettingsError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidSettings
    }
}

/// Deserializes a map that PHP may send as `[]` (an empty PHP array is a list to `json_encode`).
pub fn map_or_empty_list<'de, D, M>(deserializer: D) -> Result<M, D::Error>
where
    D: serde::Deserializer<'de>,
    M: serde::Deserialize<'de> + Default,
{
    use serde::Deserialize;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum MapOrList<M> {
        Map(M),
        List(Vec<serde::de::IgnoredAny>),
    }
    match MapOrList::<M>::deserialize(deserializer)? {
        MapOrList::Map(map) => Ok(map),
        MapOrList::List(items) if items.is_empty() => Ok(M::default()),
        MapOrList::List(_) => Err(serde::de::Error::custom(
            "expected a map of names to values",
        )),
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        field,
        reason: reason.into(),
    }
}

/// Validates raw settings (as an administrator typed them, or as stored in WordPress options)
/// by the production rules. Unknown keys are ignored; the result holds only the known ones,
/// normalised.
pub fn validate(raw: &Value) -> Result<ConnectionSettings, SettingsError> {
    validate_in(raw, HostMode::Production)
}

/// As [`validate`], in `mode` (development mode allows loopback and private API hosts).
pub fn validate_in(raw: &Value, mode: HostMode) -> Result<ConnectionSettings, SettingsError> {
    let Some(map) = raw.as_object() else {
        return Err(invalid("settings", "must be an array of named settings"));
    };
    let allowed_hosts = validate_allowed_hosts(map.get("allowed_hosts"))?;
    let api_url = validate_api_url(required_text(map, "api_url")?, mode, &allowed_hosts)?;
    let api_key = validate_api_key(required_text(map, "api_key")?)?;
    let shop_id = validate_shop_id(map.get("shop_id"))?;
    let connect_timeout_secs = bounded_seconds(
        map,
        "connect_timeout",
        DEFAULT_CONNECT_TIMEOUT_SECS,
        CONNECT_TIMEOUT_BOUNDS,
    )?;
    let timeout_secs = bounded_seconds(map, "timeout", DEFAULT_TIMEOUT_SECS, TIMEOUT_BOUNDS)?;
    let max_response_mib = bounded(
        map,
        "max_response_mib",
        DEFAULT_MAX_RESPONSE_MIB,
        MAX_RESPONSE_BOUNDS,
        "MiB",
    )?;
    let max_export_mib = bounded(
        map,
        "max_export_mib",
        DEFAULT_MAX_EXPORT_MIB,
        MAX_EXPORT_BOUNDS,
        "MiB",
    )?;
    if connect_timeout_secs > timeout_secs {
        return Err(invalid(
            "connect_timeout",
            format!("must not exceed timeout ({timeout_secs} s)"),
        ));
    }
    Ok(ConnectionSettings {
        api_url,
        api_key,
        shop_id,
        connect_timeout_secs,
        timeout_secs,
        max_response_mib,
        max_export_mib,
        allowed_hosts,
        host_mode: mode,
    })
}

fn required_text<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, SettingsError> {
    match map.get(field) {
        None | Some(Value::Null) => Err(invalid(field, "is required")),
        Some(Value::String(text)) if text.is_empty() => Err(invalid(field, "is required")),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(invalid(field, "must be text")),
    }
}

fn validate_api_url(
    text: &str,
    mode: HostMode,
    allowed_hosts: &[String],
) -> Result<String, SettingsError> {
    const FIELD: &str = "api_url";
    let trimmed = text.trim();
    let mut url = Url::parse(trimmed).map_err(|e| {
        invalid(
            FIELD,
            format!("is not a valid URL ({e}); expected https://<instance>.mirakl.net/api"),
        )
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(FIELD, "must not contain a user name or password"));
    }
    let Some(host) = url.host() else {
        return Err(invalid(FIELD, "must name a host"));
    };
    let loopback = is_loopback_host(&host);
    if let Some(reason) = refused_host(&host, mode) {
        return Err(invalid(FIELD, format!("must not point at {reason}")));
    }
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(invalid(
            FIELD,
            "must use https (plain http is accepted only for a loopback host in development mode)",
        )),
        other => return Err(invalid(FIELD, format!("must use https, not {other}"))),
    }
    if !allowed_hosts.is_empty() {
        let name = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if !allowed_hosts
            .iter()
            .any(|allowed| host_matches(allowed, &name))
        {
            return Err(invalid(
                FIELD,
                format!(
                    "host {name} is not on the allowed API hosts ({})",
                    allowed_hosts.join(", ")
                ),
            ));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            FIELD,
            "must not contain a query string or fragment",
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let path = if path.ends_with("/api") {
        path
    } else {
        format!("{path}/api")
    };
    url.set_path(&path);
    Ok(url.to_string())
}

/// Whether `host` (lower case, as the URL has it) is `allowed`: the same name, or a subdomain
/// of it when `allowed` starts with `*.`.
fn host_matches(allowed: &str, host: &str) -> bool {
    match allowed.strip_prefix("*.") {
        Some(parent) => host
            .strip_suffix(parent)
            .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
        None => allowed == host,
    }
}

/// The allow-list of API hosts: a list, or one text of names separated by commas, spaces or
/// line breaks (as typed in a form); missing or empty means none.
fn validate_allowed_hosts(value: Option<&Value>) -> Result<Vec<String>, SettingsError> {
    const FIELD: &str = "allowed_hosts";
    let not_a_list = || invalid(FIELD, "must be a list of host names");
    let entries: Vec<String> = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(text)) => text
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::to_owned)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(not_a_list))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(not_a_list()),
    };
    let mut hosts: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.trim().trim_end_matches('.').to_ascii_lowercase();
        if entry.is_empty() {
            continue;
        }
        let name = entry.strip_prefix("*.").unwrap_or(&entry);
        let parsed = Url::parse(&format!("https://{name}/"))
            .ok()
            .filter(|url| url.host_str() == Some(name) && url.port().is_none());
        if parsed.is_none() || name.contains('*') {
            return Err(invalid(
                FIELD,
                format!(
                    "{entry:?} is not a host name (such as acme.mirakl.net, or *.mirakl.net for \
                     its subdomains; no scheme, port or path)"
                ),
            ));
        }
        if !hosts.contains(&entry) {
            hosts.push(entry);
        }
    }
    if hosts.len() > MAX_ALLOWED_HOSTS {
        return Err(invalid(
            FIELD,
            format!("must list at most {MAX_ALLOWED_HOSTS} hosts"),
        ));
    }
    Ok(hosts)
}

/// Whether `host` is this machine: `localhost` (or a name under `.localhost`), 127.0.0.0/8,
/// `::1` or `::ffff:127.x.y.z`.
pub fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => canonical(IpAddr::V6(*ip)).is_loopback(),
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
/// The IPv4 address an IPv6 one carries, where it carries one a connection can reach:
/// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated but still routed by
/// some stacks) and the NAT64 well-known prefix (`64:ff9b::a.b.c.d`).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            let embedded = || {
                let o = v6.octets();
                std::net::Ipv4Addr::new(o[12], o[13], o[14], o[15])
            };
            let compatible = s[..6] == [0; 6] && !v6.is_loopback() && !v6.is_unspecified();
            let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            if compatible || nat64 {
                IpAddr::V4(embedded())
            } else {
                ip
            }
        }
        v4 => v4,
    }
}

/// Why a host must never receive the API key in `mode`, if it is one of those. A name other
/// than `localhost` is judged by the addresses it resolves to, at request time
/// ([`refused_address`]).
pub fn refused_host(host: &Host<&str>, mode: HostMode) -> Option<&'static str> {
    match host {
        Host::Domain(_) if is_loopback_host(host) && mode == HostMode::Production => {
            Some(LOOPBACK_REFUSED)
        }
        Host::Domain(_) => None,
        Host::Ipv4(ip) => refused_address(IpAddr::V4(*ip), mode),
        Host::Ipv6(ip) => refused_address(IpAddr::V6(*ip), mode),
    }
}

const LOOPBACK_REFUSED: &str = "a loopback address (127.0.0.0/8, ::1, localhost) outside \
     development mode (define MIRAKL_CONNECTOR_DEVELOPMENT in wp-config.php for a local sandbox)";

/// Why the API key must never be sent to `ip` in `mode`, if it is one of those: link-local
/// (cloud metadata services live at 169.254.169.254) and the unspecified address always;
/// loopback and private networks outside development mode.
pub fn refused_address(ip: IpAddr, mode: HostMode) -> Option<&'static str> {
    let production = mode == HostMode::Production;
    match canonical(ip) {
        IpAddr::V4(v4) if v4.is_unspecified() => Some("the unspecified address 0.0.0.0"),
        IpAddr::V4(v4) if v4.is_link_local() => Some("a link-local address (169.254.0.0/16)"),
        IpAddr::V4(v4) if v4.is_loopback() && production => Some(LOOPBACK_REFUSED),
        IpAddr::V4(v4) if v4.is_private() && production => {
            Some("a private network address (10/8, 172.16/12, 192.168/16) outside development mode")
        }
        IpAddr::V4(v4) if (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64) && production => {
            Some("a shared address (100.64.0.0/10, where some clouds serve instance metadata) outside development mode")
        }
        IpAddr::V6(v6) if v6.is_unspecified() => Some("the unspecified address ::"),
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => {
            Some("a link-local address (fe80::/10)")
        }
        IpAddr::V6(v6) if v6.is_loopback() && production => Some(LOOPBACK_REFUSED),
        IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 && production => {
            Some("a private network address (fc00::/7) outside development mode")
        }
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfec0 && production => {
            Some("a site-local address (fec0::/10) outside development mode")
        }
        _ => None,
    }
}

fn validate_api_key(text: &str) -> Result<String, SettingsError> {
    const FIELD: &str = "api_key";
    if text.chars().any(char::is_whitespace) {
        return Err(invalid(
            FIELD,
            "must not contain spaces or line breaks (check the pasted key)",
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(FIELD, "must not contain control characters"));
    }
    if text.len() > 512 {
        return Err(invalid(
            FIELD,
            "is longer than any Mirakl key (512 characters at most)",
        ));
    }
    Ok(text.to_owned())
}

fn validate_shop_id(value: Option<&Value>) -> Result<Option<i64>, SettingsError> {
    const FIELD: &str = "shop_id";
    let id = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
        Some(Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| invalid(FIELD, "must be a whole number (the shop's numeric id)"))?,
        Some(Value::Number(number)) => number
            .as_i64()
            .ok_or_else(|| invalid(FIELD, "must be a whole number (the shop's numeric id)"))?,
        Some(_) => {
            return Err(invalid(
                FIELD,
                "must be a whole number (the shop's numeric id)",
            ))
        }
    };
    if id <= 0 {
        return Err(invalid(FIELD, "must be a positive number"));
    }
    Ok(Some(id))
}

fn bounded_seconds(
    map: &Map<String, Value>,
    field: &'static str,
    default: u64,
    bounds: (u64, u64),
) -> Result<u64, SettingsError> {
    bounded(map, field, default, bounds, "seconds")
}

/// A whole number of `unit` within `(min, max)`; missing or empty gives `default`.
fn bounded(
    map: &Map<String, Value>,
    field: &'static str,
    default: u64,
    (min, max): (u64, u64),
    unit: &str,
) -> Result<u64, SettingsError> {
    let out_of_bounds = || {
        invalid(
            field,
            format!("must be a whole number of {unit} from {min} to {max}"),
        )
    };
    let seconds = match map.get(field) {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(default),
        Some(Value::String(text)) => text.trim().parse::<u64>().map_err(|_| out_of_bounds())?,
        Some(Value::Number(number)) => number.as_u64().ok_or_else(out_of_bounds)?,
        Some(_) => return Err(out_of_bounds()),
    };
    if (min..=max).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(out_of_bounds())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(raw: Value) -> &'static str {
        validate(&raw).unwrap_err().field
    }

    #[test]
    fn accepts_and_normalises_a_typical_instance_url() {
        let settings =
            validate(&json!({"api_url": " https://acme.mirakl.net/ ", "api_key": "abc-123"}))
                .unwrap();
        assert_eq!(settings.api_url, "https://acme.mirakl.net/api");
        assert_eq!(settings.shop_id, None);
        assert_eq!(settings.connect_timeout_secs, DEFAULT_CONNECT_TIMEOUT_SECS);
        assert_eq!(settings.timeout_secs, DEFAULT_TIMEOUT_SECS);
        let again =
            validate(&json!({"api_url": "https://acme.mirakl.net/api/", "api_key": "k"})).unwrap();
        assert_eq!(again.api_url, "https://acme.mirakl.net/api");
    }

    #[test]
    fn url_scheme_rules() {
        // (url, accepted in production, accepted in development mode)
        for (url, production, development) in [
            ("ftp://x", false, false),
            ("http://acme.mirakl.net/api", false, false),
            ("http://10.0.0.5/api", false, false),
            ("http://127.0.0.1:8080/api", false, true),
            ("http://127.3.4.5/api", false, true),
            ("http://[::1]:9000", false, true),
            ("http://localhost:9000", false, true),
            ("https://localhost/api", false, true),
            ("https://LOCALHOST./api", false, true),
            ("https://sandbox.localhost/api", false, true),
            ("https://127.0.0.1/api", false, true),
            ("https://[::ffff:127.0.0.1]/api", false, true),
            ("https://acme.mirakl.net", true, true),
            ("not a url", false, false),
            ("https://user:pw@acme.mirakl.net/api", false, false),
            ("https://acme.mirakl.net/api?x=1", false, false),
            ("https://169.254.169.254/api", false, false),
            ("https://10.1.2.3/api", false, true),
            ("https://172.16.0.1/api", false, true),
            ("https://172.31.255.255/api", false, true),
            ("https://172.32.0.1/api", true, true),
            ("https://192.168.1.1/api", false, true),
            ("https://0.0.0.0/api", false, false),
            ("https://[fe80::1]/api", false, false),
            ("https://[fd00::1]/api", false, true),
            ("https://[::ffff:169.254.169.254]/api", false, false),
            ("https://[::]/api", false, false),
            ("https://[::127.0.0.1]/api", false, true),
            ("https://[::169.254.169.254]/api", false, false),
            ("https://[64:ff9b::a9fe:a9fe]/api", false, false),
            ("https://[64:ff9b::808:808]/api", true, true),
            ("https://100.100.100.200/api", false, true),
            ("https://100.63.255.255/api", true, true),
            ("https://100.128.0.1/api", true, true),
            ("https://[fec0::1]/api", false, true),
            ("https://[2001:db8::1]/api", true, true),
            ("https://8.8.8.8/api", true, true),
        ] {
            for (mode, ok) in [
                (HostMode::Production, production),
                (HostMode::Development, development),
            ] {
                let result = validate_in(&json!({"api_url": url, "api_key": "k"}), mode);
                assert_eq!(result.is_ok(), ok, "{url} in {mode:?}: {result:?}");
                if let Err(e) = result {
                    assert_eq!(e.field, "api_url");
                    assert!(e.to_string().starts_with("api_url: "));
                }
            }
        }
        let loopback = validate(&json!({"api_url": "http://127.0.0.1:9/api", "api_key": "k"}));
        let message = loopback.unwrap_err().to_string();
        assert!(message.contains("loopback"), "{message}");
        assert!(
            message.contains("MIRAKL_CONNECTOR_DEVELOPMENT"),
            "{message}"
        );
        let dev = validate_in(
            &json!({"api_url": "http://127.0.0.1:9", "api_key": "k"}),
            HostMode::Development,
        )
        .unwrap();
        assert_eq!(dev.host_mode, HostMode::Development);
        assert!(
            serde_json::to_value(&dev)
                .unwrap()
                .get("host_mode")
                .is_none(),
            "the mode is never stored"
        );
    }

    #[test]
    fn a_non_empty_allow_list_refuses_other_hosts() {
        let with = |url: &str, hosts: Value| {
            validate(&json!({"api_url": url, "api_key": "k", "allowed_hosts": hosts}))
        };
        let listed = with(
            "https://acme.mirakl.net/api",
            json!("ACME.mirakl.net, other.example\n"),
        )
        .unwrap();
        assert_eq!(listed.allowed_hosts, ["acme.mirakl.net", "other.example"]);
        assert_eq!(
            serde_json::to_value(&listed).unwrap()["allowed_hosts"],
            json!(["acme.mirakl.net", "other.example"])
        );
        let err = with("https://evil.example/api", json!(["acme.mirakl.net"])).unwrap_err();
        assert_eq!(err.field, "api_url");
        assert!(
            err.to_string().contains("not on the allowed API hosts"),
            "{err}"
        );
        // A wildcard covers subdomains only, never a look-alike.
        assert!(with("https://x.mirakl.net/api", json!(["*.mirakl.net"])).is_ok());
        assert!(with("https://a.b.mirakl.net/api", json!(["*.mirakl.net"])).is_ok());
        for url in ["https://mirakl.net/api", "https://evilmirakl.net/api"] {
            assert_eq!(
                with(url, json!(["*.mirakl.net"])).unwrap_err().field,
                "api_url"
            );
        }
        // Empty: any host the rules allow; the rules still apply to listed hosts.
        assert!(with("https://any.example/api", json!("")).is_ok());
        assert!(with("https://any.example/api", json!([])).is_ok());
        assert_eq!(
            with("https://10.0.0.1/api", json!(["10.0.0.1"]))
                .unwrap_err()
                .field,
            "api_url"
        );
        for bad in [
            json!("https://acme.mirakl.net"),
            json!("acme.mirakl.net:443"),
            json!("acme.mirakl.net/api"),
            json!("*"),
            json!("a.*.net"),
            json!([42]),
            json!({"a": "b"}),
        ] {
            let err = with("https://acme.mirakl.net/api", bad.clone()).unwrap_err();
            assert_eq!(err.field, "allowed_hosts", "{bad}");
        }
        let many: Vec<String> = (0..51).map(|i| format!("h{i}.example")).collect();
        assert_eq!(
            with("https://h1.example/api", json!(many))
                .unwrap_err()
                .field,
            "allowed_hosts"
        );
    }

    #[test]
    fn api_key_rules_never_echo_the_key() {
        assert_eq!(
            field_of(json!({"api_url": "https://a.b", "api_key": ""})),
            "api_key"
        );
        assert_eq!(field_of(json!({"api_url": "https://a.b"})), "api_key");
        assert_eq!(
            field_of(json!({"api_url": "https://a.b", "api_key": 42})),
            "api_key"
        );
        let err =
            validate(&json!({"api_url": "https://a.b", "api_key": "secret value"})).unwrap_err();
        assert_eq!(err.field, "api_key");
        assert!(!err.to_string().contains("secret"));
        let err = validate(&json!({"api_url": "https://a.b", "api_key": "secret\n"})).unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn debug_output_redacts_the_key() {
        let settings =
            validate(&json!({"api_url": "https://a.b", "api_key": "topsecret"})).unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn shop_id_is_optional_and_numeric() {
        let base =
            |shop_id: Value| json!({"api_url": "https://a.b", "api_key": "k", "shop_id": shop_id});
        assert_eq!(validate(&base(json!(""))).unwrap().shop_id, None);
        assert_eq!(validate(&base(Value::Null)).unwrap().shop_id, None);
        assert_eq!(validate(&base(json!("2001"))).unwrap().shop_id, Some(2001));
        assert_eq!(validate(&base(json!(2001))).unwrap().shop_id, Some(2001));
        assert_eq!(field_of(base(json!("12a"))), "shop_id");
        assert_eq!(field_of(base(json!(-3))), "shop_id");
        assert_eq!(field_of(base(json!(1.5))), "shop_id");
    }

    #[test]
    fn timeouts_are_bounded() {
        let base = |c: Value, t: Value| json!({"api_url": "https://a.b", "api_key": "k", "connect_timeout": c, "timeout": t});
        let ok = validate(&base(json!("3"), json!(20))).unwrap();
        assert_eq!((ok.connect_timeout_secs, ok.timeout_secs), (3, 20));
        assert_eq!(field_of(base(json!(0), json!(20))), "connect_timeout");
        assert_eq!(field_of(base(json!(5), json!(3000))), "timeout");
        assert_eq!(field_of(base(json!(50), json!(20))), "connect_timeout");
        assert_eq!(field_of(base(json!("soon"), json!(20))), "connect_timeout");
    }

    #[test]
    fn response_caps_default_and_are_bounded() {
        let base = |extra: Value| {
            let mut raw = json!({"api_url": "https://a.b", "api_key": "k"});
            raw.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            raw
        };
        let defaults = validate(&base(json!({}))).unwrap();
        assert_eq!(defaults.max_response_bytes(), 8 * 1024 * 1024);
        assert_eq!(defaults.max_export_bytes(), 64 * 1024 * 1024);
        let shown = serde_json::to_value(&defaults).unwrap();
        assert!(shown.get("max_response_mib").is_none(), "{shown}");
        let set = validate(&base(
            json!({"max_response_mib": "2", "max_export_mib": 300}),
        ))
        .unwrap();
        assert_eq!(set.max_response_bytes(), 2 * 1024 * 1024);
        assert_eq!(set.max_export_mib, 300);
        assert_eq!(serde_json::to_value(&set).unwrap()["max_response_mib"], 2);
        assert_eq!(
            field_of(base(json!({"max_response_mib": 0}))),
            "max_response_mib"
        );
        assert_eq!(
            field_of(base(json!({"max_response_mib": 257}))),
            "max_response_mib"
        );
        assert_eq!(
            field_of(base(json!({"max_export_mib": 5000}))),
            "max_export_mib"
        );
        let err = validate(&base(json!({"max_export_mib": 0}))).unwrap_err();
        assert!(err.to_string().contains("MiB from 1 to 1024"), "{err}");
    }

    #[test]
    fn rejects_a_non_object() {
        assert_eq!(validate(&json!(["x"])).unwrap_err().field, "settings");
    }
}
