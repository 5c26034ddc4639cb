//! Shared helpers for the Mirakl client tests: fixture loading and a client over a scripted
//! transport whose waits are recorded instead of slept.
#![allow(dead_code)]

use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::mirakl::{Client, ClientConfig, MemoryBudget};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The text of a file in the shared fixtures' `examples/`.
pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../shared/fixtures/mirakl/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).expect("fixture is JSON")
}

pub const TEST_KEY: &str = "test-key-5f1c0de";

pub fn config(base_url: &str) -> ClientConfig {
    ClientConfig::new(base_url.parse().expect("base url"), TEST_KEY).development()
}

pub type ScriptedClient = Client<Arc<ScriptedTransport>, MemoryBudget>;
pub type WaitLog = Arc<Mutex<Vec<Duration>>>;

/// A client over `transport` with a fresh memory budget; waits go to the returned log.
pub fn scripted_client(transport: Arc<ScriptedTransport>) -> (ScriptedClient, WaitLog) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&waits);
    let client = Client::new(
        &config("https://shop.example.test/api"),
        transport,
        MemoryBudget::new(),
    )
    .with_rng_seed(7)
    .with_sleeper(move |wait| log.lock().expect("wait log").push(wait));
    (client, waits)
}

/// A JSON body of a request, or panics.
pub fn json_body(request: &mirakl_connector::mirakl::Request) -> serde_json::Value {
    match &request.body {
        mirakl_connector::mirakl::Body::Json(value) => value.clone(),
        other => panic!("expected a JSON body, got {other:?}"),
    }
}

/// Replaces numeric strings by numbers and drops nulls, so that Mirakl's mixed-type examples
/// can be compared with what the client sends.
pub fn normalise(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => match text.parse::<f64>() {
            Ok(number)
                if text
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '-') =>
            {
                serde_json::json!(number)
            }
            _ => value.clone(),
        },
        Value::Number(number) => serde_json::json!(number.as_f64().expect("finite")),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
