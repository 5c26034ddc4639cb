//! Fault injection as a client experiences it: injected statuses, "next N" triggers, latency,
//! dropped connections (before and after the write) and broken bodies.

mod common;

use std::time::{Duration, Instant};

use common::Harness;
use mirakl_sandbox::{Fault, FaultRule, Trigger};
use serde_json::json;

fn rule(route: &str, fault: Fault, trigger: Trigger) -> FaultRule {
    FaultRule {
        route: route.into(),
        fault,
        trigger,
    }
}

#[test]
fn injected_429_carries_retry_after_for_the_next_calls_only() {
    let h = Harness::start();
    h.console("POST", "/faults", &json!({ "route": "OR11", "fault": { "kind": "status", "status": 429, "retry_after_secs": 7 }, "trigger": { "next_calls": 2 } }));
    for _ in 0..2 {
        let r = h.get("/api/orders");
        assert_eq!(r.status, 429);
        assert_eq!(r.header("Retry-After"), Some("7"));
        assert_eq!(r.json().expect("json")["status"], 429);
    }
    assert_eq!(h.get("/api/orders").status, 200);
    assert_eq!(h.console("GET", "/faults", &json!({}))["faults"], json!([]));
}

#[test]
fn server_errors_by_path_prefix_and_probability() {
    let h = Harness::start();
    for status in [500u16, 502, 503] {
        h.sandbox.add_fault(rule(
            "/api/offers",
            Fault::Status {
                status,
                retry_after_secs: None,
            },
            Trigger::NextCalls(1),
        ));
        let r = h.get("/api/offers");
        assert_eq!(r.status, status);
        assert_eq!(r.json().expect("json")["status"], status);
    }
    h.sandbox.add_fault(rule(
        "*",
        Fault::Status {
            status: 503,
            retry_after_secs: None,
        },
        Trigger::Probability(1.0),
    ));
    assert_eq!(h.get("/api/version").status, 503);
    // The console is never faulted.
    h.console("DELETE", "/faults", &json!({}));
    assert_eq!(h.get("/api/version").status, 200);
    h.sandbox.add_fault(rule(
        "V01",
        Fault::Status {
            status: 500,
            retry_after_secs: None,
        },
        Trigger::Probability(0.0),
    ));
    assert_eq!(h.get("/api/version").status, 200);
}

#[test]
fn latency_is_added() {
    let h = Harness::start();
    h.sandbox.add_fault(rule(
        "V01",
        Fault::Latency { millis: 300 },
        Trigger::NextCalls(1),
    ));
    let started = Instant::now();
    assert_eq!(h.get("/api/version").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn drop_before_processing_loses_the_call() {
    let h = Harness::start();
    h.order_of("D-1-A", "D", "10", 1);
    h.sandbox.add_fault(rule(
        "OR21",
        Fault::DropBeforeProcessing,
        Trigger::NextCalls(1),
    ));
    let body = json!({ "order_lines": [{ "id": "D-1-A-1", "accepted": true }] }).to_string();
    let r = h.try_call(
        "PUT",
        "/api/orders/D-1-A/accept",
        Some("application/json"),
        body.as_bytes(),
    );
    assert!(r.is_err(), "the client sees a broken connection");
    assert_eq!(h.order("D-1-A")["order_state"], "WAITING_ACCEPTANCE");
}

#[test]
fn drop_after_processing_keeps_the_write() {
    let h = Harness::start();
    h.order_of("D-2-A", "D", "10", 1);
    h.sandbox.add_fault(rule(
        "OR21",
        Fault::DropAfterProcessing,
        Trigger::NextCalls(1),
    ));
    let body = json!({ "order_lines": [{ "id": "D-2-A-1", "accepted": true }] }).to_string();
    let r = h.try_call(
        "PUT",
        "/api/orders/D-2-A/accept",
        Some("application/json"),
        body.as_bytes(),
    );
    assert!(r.is_err(), "the client sees a broken connection");
    assert_eq!(
        h.order("D-2-A")["order_state"],
        "WAITING_DEBIT_PAYMENT",
        "but the acceptance happened"
    );
    // A retry now fails with the state error a real client must handle.
    let retry = h.put_json(
        "/api/orders/D-2-A/accept",
        &json!({ "order_lines": [{ "id": "D-2-A-1", "accepted": true }] }),
    );
    assert_eq!(retry.status, 400);
}

#[test]
fn truncated_and_malformed_bodies() {
    let h = Harness::start();
    h.sandbox
        .add_fault(rule("A01", Fault::TruncatedBody, Trigger::NextCalls(1)));
    assert!(h.try_call("GET", "/api/account", None, b"").is_err());
    h.sandbox
        .add_fault(rule("OR11", Fault::MalformedJson, Trigger::NextCalls(1)));
    let r = h.get("/api/orders");
    assert_eq!(r.status, 200);
    assert!(r.json().is_err());
    assert_eq!(h.get("/api/orders").status, 200);
}

#[test]
fn bad_fault_configuration_is_rejected() {
    let h = Harness::start();
    let r = mirakl_sandbox::client::send(
        h.sandbox.addr(),
        "POST",
        "/_sandbox/faults",
        &[("Content-Type", "application/json")],
        b"{\"route\":\"OR11\",\"fault\":{\"kind\":\"explode\"}}",
    )
    .expect("answer");
    assert_eq!(r.status, 400);
    assert_eq!(r.json().expect("json")["status"], 400);
}
