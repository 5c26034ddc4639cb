//! Shared test helpers: a sandbox started in-process with the test configuration and a thin
//! client that speaks to its shop API and console over real HTTP.
#![allow(dead_code)]

use mirakl_sandbox::client::{self, ClientResponse};
use mirakl_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use serde_json::Value;

pub const KEY: &str = "test-key";

pub struct Harness {
    pub sandbox: RunningSandbox,
}

impl Harness {
    pub fn start() -> Harness {
        Harness::with(SandboxConfig::for_tests())
    }

    pub fn with(config: SandboxConfig) -> Harness {
        let sandbox = Sandbox::start(config.api_key(KEY)).expect("sandbox starts");
        Harness { sandbox }
    }

    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> std::io::Result<ClientResponse> {
        let mut headers = vec![("Authorization", KEY)];
        if let Some(ct) = content_type {
            headers.push(("Content-Type", ct));
        }
        client::send(self.sandbox.addr(), method, path, &headers, body)
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> ClientResponse {
        self.try_call(method, path, content_type, body)
            .expect("sandbox answers")
    }

    pub fn get(&self, path: &str) -> ClientResponse {
        self.call("GET", path, None, b"")
    }

    pub fn get_json(&self, path: &str) -> Value {
        let response = self.get(path);
        assert_eq!(response.status, 200, "GET {path}: {}", response.text());
        response.json().expect("json")
    }

    pub fn put_json(&self, path: &str, body: &Value) -> ClientResponse {
        self.call(
            "PUT",
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
    }

    pub fn post_json(&self, path: &str, body: &Value) -> ClientResponse {
        self.call(
            "POST",
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
    }

    pub fn upload(&self, path: &str, file: &[u8], fields: &[(&str, &str)]) -> ClientResponse {
        let (content_type, body) = client::multipart("upload.csv", file, fields);
        self.call("POST", path, Some(&content_type), &body)
    }

    /// A console call; panics unless it succeeds.
    pub fn console(&self, method: &str, path: &str, body: &Value) -> Value {
        let response = client::send(
            self.sandbox.addr(),
            method,
            &format!("/_sandbox{path}"),
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
        .expect("console answers");
        assert!(
            response.status < 300,
            "console {method} {path}: {} {}",
            response.status,
            response.text()
        );
        if response.body.is_empty() {
            Value::Null
        } else {
            response.json().expect("console json")
        }
    }

    pub fn order(&self, order_id: &str) -> Value {
        let list = self.get_json(&format!("/api/orders?order_ids={order_id}"));
        list["orders"][0].clone()
    }

    /// Offer `sku` at `price` with `quantity`, then an order of `quantity_ordered` of it.
    pub fn order_of(
        &self,
        order_id: &str,
        sku: &str,
        price: &str,
        quantity_ordered: i64,
    ) -> String {
        self.console(
            "POST",
            "/offers",
            &serde_json::json!({ "sku": sku, "price": price, "quantity": 100 }),
        );
        let created = self.console(
            "POST",
            "/orders",
            &serde_json::json!({ "order_id": order_id, "lines": [{ "offer_sku": sku, "quantity": quantity_ordered }] }),
        );
        created["order_id"].as_str().expect("order id").to_string()
    }

    pub fn accept_all(&self, order_id: &str) {
        let order = self.order(order_id);
        let lines: Vec<Value> = order["order_lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| serde_json::json!({ "id": l["order_line_id"], "accepted": true }))
            .collect();
        let response = self.put_json(
            &format!("/api/orders/{order_id}/accept"),
            &serde_json::json!({ "order_lines": lines }),
        );
        assert_eq!(response.status, 204, "{}", response.text());
    }
}

/// Decimal-safe comparison of a JSON money value.
pub fn amount(value: &Value) -> String {
    let n = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    format!("{n:.2}")
}
