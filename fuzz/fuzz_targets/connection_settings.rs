//! Connection settings validation, fed the JSON the plugin sends (`settings::validate`).
//!
//! Contract: never panics; a valid result keeps its invariants (https, or http on a loopback
//! host; a URL ending in `/api`; a key without whitespace or control characters; timeouts and
//! caps within bounds, connect ≤ total) and validates again to itself, as the plugin stores it
//! and sends it back; the API key never appears in an error message or in `Debug` output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mirakl_connector::settings::{validate, ConnectionSettings};
use serde_json::{json, Value};

/// Appended to the fuzzed key, so "the key appears" cannot be a coincidence with fixed text.
const CANARY: &str = "Zq9FuzzCanaryKey";

fn check_valid(settings: &ConnectionSettings) {
    let url = settings.api_url.as_str();
    assert!(
        url.starts_with("https://") || url.starts_with("http://"),
        "scheme of {url}"
    );
    assert!(url.ends_with("/api"), "{url} does not end in /api");
    assert!(!settings.api_key.is_empty());
    assert!(!settings
        .api_key
        .chars()
        .any(|c| c.is_whitespace() || c.is_control()));
    assert!((1..=60).contains(&settings.connect_timeout_secs));
    assert!((5..=300).contains(&settings.timeout_secs));
    assert!(settings.connect_timeout_secs <= settings.timeout_secs);
    assert!((1..=256).contains(&settings.max_response_mib));
    assert!((1..=1024).contains(&settings.max_export_mib));
    assert!(settings.shop_id.is_none_or(|id| id > 0));
    let stored = json!({
        "api_url": settings.api_url,
        "api_key": settings.api_key,
        "shop_id": settings.shop_id,
        "connect_timeout": settings.connect_timeout_secs,
        "timeout": settings.timeout_secs,
        "max_response_mib": settings.max_response_mib,
        "max_export_mib": settings.max_export_mib,
    });
    assert_eq!(
        validate(&stored).as_ref(),
        Ok(settings),
        "validated settings do not validate to themselves"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(settings) = validate(&raw) {
        check_valid(&settings);
    }
    let Value::Object(mut map) = raw else {
        return;
    };
    let key = match map.remove("api_key") {
        Some(Value::String(key)) => format!("{key}{CANARY}"),
        _ => CANARY.to_owned(),
    };
    let elsewhere = Value::Object(map.clone()).to_string().contains(CANARY);
    map.insert("api_key".to_owned(), Value::String(key.clone()));
    match validate(&Value::Object(map)) {
        Ok(settings) => {
            check_valid(&settings);
            assert_eq!(settings.api_key, key);
            if !elsewhere {
                assert!(
                    !format!("{settings:?}").contains(CANARY),
                    "the key in Debug output"
                );
            }
        }
        Err(error) => {
            if !elsewhere {
                assert!(
                    !error.to_string().contains(CANARY),
                    "the key in an error: {error}"
                );
            }
        }
    }
});
