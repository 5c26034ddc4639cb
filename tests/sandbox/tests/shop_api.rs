//! Shop API behaviour as a client sees it: auth, errors, filters, business rules, imports,
//! exports, finance feeds and rate limits.

mod common;

use common::{amount, Harness, KEY};
use mirakl_sandbox::client;
use mirakl_sandbox::SandboxConfig;
use serde_json::json;

#[test]
fn auth_requires_the_raw_key() {
    let h = Harness::start();
    let addr = h.sandbox.addr();
    for headers in [
        vec![],
        vec![("Authorization", "Bearer test-key")],
        vec![("Authorization", "wrong")],
    ] {
        let r = client::send(addr, "GET", "/api/version", &headers, b"").expect("answer");
        assert_eq!(r.status, 401);
        let body = r.json().expect("json");
        assert_eq!(body["status"], 401);
        assert!(body["message"].is_string());
    }
    let ok =
        client::send(addr, "GET", "/api/version", &[("Authorization", KEY)], b"").expect("answer");
    assert_eq!(ok.status, 200);
    assert_eq!(h.get("/api/account?shop_id=2001").status, 200);
    assert_eq!(h.get("/api/account?shop_id=9").status, 403);
}

#[test]
fn unknown_routes_methods_and_bodies_get_mirakl_errors() {
    let h = Harness::with(SandboxConfig::for_tests().max_body_bytes(1024));
    let r = h.get("/api/nothing");
    assert_eq!(r.status, 404);
    assert_eq!(r.json().expect("json")["status"], 404);
    assert_eq!(h.get("/elsewhere").status, 404);
    assert_eq!(h.call("DELETE", "/api/orders", None, b"").status, 405);
    let order = h.order_of("E-1", "SKU-E", "10", 1);
    let r = h.call(
        "PUT",
        &format!("/api/orders/{order}/accept"),
        Some("text/plain"),
        b"{}",
    );
    assert_eq!(r.status, 415);
    assert_eq!(r.json().expect("json")["status"], 415);
    let r = h.call(
        "POST",
        "/api/offers/stock/imports",
        Some("application/json"),
        b"{}",
    );
    assert_eq!(r.status, 415);
    let r = h.call(
        "PUT",
        &format!("/api/orders/{order}/accept"),
        Some("application/json"),
        b"{not json",
    );
    assert_eq!(r.status, 400);
    let addr = h.sandbox.addr();
    let not_acceptable = client::send(
        addr,
        "GET",
        "/api/version",
        &[("Authorization", KEY), ("Accept", "text/html")],
        b"",
    )
    .expect("answer");
    assert_eq!(not_acceptable.status, 406);
    let json_ok = client::send(
        addr,
        "GET",
        "/api/version",
        &[
            ("Authorization", KEY),
            ("Accept", "application/json, text/plain"),
        ],
        b"",
    )
    .expect("answer");
    assert_eq!(json_ok.status, 200);
    let csv_ok = client::send(
        addr,
        "GET",
        "/api/offers/export",
        &[("Authorization", KEY), ("Accept", "text/csv")],
        b"",
    )
    .expect("answer");
    assert_eq!(csv_ok.status, 200);
    let big = vec![b'x'; 4096];
    let r = h.call("PUT", "/api/orders/refund", Some("application/json"), &big);
    assert_eq!(r.status, 413);
    assert_eq!(r.json().expect("json")["status"], 413);
    // Still serving afterwards.
    assert_eq!(h.get("/api/version").status, 200);
}

#[test]
fn reference_data() {
    let h = Harness::start();
    assert_eq!(h.get_json("/api/version")["version"], "3.210");
    let carriers = h.get_json("/api/shipping/carriers");
    assert!(carriers["carriers"]
        .as_array()
        .expect("carriers")
        .iter()
        .any(|c| c["code"] == "UPS"));
    let reasons = h.get_json("/api/reasons");
    assert!(reasons["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .any(|r| r["code"] == "15" && r["type"] == "REFUND"));
    assert_eq!(
        reasons["total_count"],
        reasons["reasons"].as_array().map(|a| a.len()).unwrap_or(0)
    );
    let account = h.get_json("/api/account");
    assert_eq!(account["shop_id"], 2001);
    assert_eq!(account["currency_iso_code"], "EUR");
}

#[test]
fn or11_filters_pagination_and_overlap() {
    let h = Harness::start();
    h.console("POST", "/offers", &json!({ "generate": 50 }));
    h.console(
        "POST",
        "/offers",
        &json!({ "sku": "P", "price": "10", "quantity": 1000 }),
    );
    for n in 0..25 {
        h.console("POST", "/orders", &json!({ "order_id": format!("P-{n:02}-A"), "lines": [{ "offer_sku": "P", "quantity": 1 }] }));
        h.sandbox.advance_clock(60);
    }
    let page = h.get_json("/api/orders?max=10&offset=20");
    assert_eq!(page["total_count"], 25);
    assert_eq!(page["orders"].as_array().map(|a| a.len()), Some(5));
    assert_eq!(page["orders"][0]["order_id"], "P-20-A");
    let desc = h.get_json("/api/orders?max=2&sort=dateCreated&order=desc");
    assert_eq!(desc["orders"][0]["order_id"], "P-24-A");
    let capped = h.get_json("/api/orders?max=500");
    assert_eq!(capped["orders"].as_array().map(|a| a.len()), Some(25));
    assert_eq!(
        h.get_json("/api/orders?paginate=false")["orders"]
            .as_array()
            .map(|a| a.len()),
        Some(25)
    );
    assert_eq!(h.get("/api/orders?max=abc").status, 400);
    let ids: Vec<String> = (0..101).map(|n| format!("X{n}")).collect();
    assert_eq!(
        h.get(&format!("/api/orders?order_ids={}", ids.join(",")))
            .status,
        400
    );
    let two = h.get_json("/api/orders?order_ids=P-03-A,P-07-A");
    assert_eq!(two["total_count"], 2);

    // Accept P-10 now; a poll from "now" must still see it and, thanks to the overlap, also
    // orders updated up to five minutes earlier.
    let now = h.console("GET", "/clock", &json!({}))["now"]
        .as_str()
        .expect("now")
        .to_string();
    h.accept_all("P-10-A");
    h.sandbox.advance_clock(120);
    let changed = h.get_json(&format!(
        "/api/orders?start_update_date={}",
        client_encode(&now)
    ));
    let ids: Vec<&str> = changed["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter_map(|o| o["order_id"].as_str())
        .collect();
    assert!(ids.contains(&"P-10-A"));
    assert!(
        ids.contains(&"P-24-A"),
        "orders updated within the overlap are returned: {ids:?}"
    );
    assert!(!ids.contains(&"P-15-A"));
    let waiting = h.get_json("/api/orders?order_state_codes=WAITING_DEBIT_PAYMENT");
    assert_eq!(waiting["total_count"], 1);
    let created = h.get_json(&format!("/api/orders?start_date={}", client_encode(&now)));
    assert_eq!(created["total_count"], 0);
    let tax_excluded = h.get_json("/api/orders?order_ids=P-01-A&order_tax_mode=TAX_EXCLUDED");
    assert_eq!(tax_excluded["orders"][0]["order_tax_mode"], "TAX_EXCLUDED");
    assert_eq!(amount(&tax_excluded["orders"][0]["price"]), "8.33");
    assert_eq!(amount(&h.order("P-01-A")["price"]), "10.00");
}

fn client_encode(text: &str) -> String {
    mirakl_sandbox::http::percent_encode(text)
}

#[test]
fn orders_take_stock_and_are_refused_when_short() {
    let h = Harness::start();
    h.console(
        "POST",
        "/offers",
        &json!({ "sku": "S", "price": "20", "quantity": 3 }),
    );
    let r = client::send(
        h.sandbox.addr(),
        "POST",
        "/_sandbox/orders",
        &[("Content-Type", "application/json")],
        json!({ "lines": [{ "offer_sku": "S", "quantity": 4 }] })
            .to_string()
            .as_bytes(),
    )
    .expect("answer");
    assert_eq!(r.status, 400);
    let id = h.console(
        "POST",
        "/orders",
        &json!({ "lines": [{ "offer_sku": "S", "quantity": 2 }] }),
    )["order_id"]
        .as_str()
        .expect("id")
        .to_string();
    let offers = h.get_json("/api/offers?sku=S");
    assert_eq!(offers["offers"][0]["quantity"], 1);
    // Refusal gives the stock back.
    let line = format!("{id}-1");
    let r = h.put_json(
        &format!("/api/orders/{id}/accept"),
        &json!({ "order_lines": [{ "id": line, "accepted": false }] }),
    );
    assert_eq!(r.status, 204);
    assert_eq!(h.order(&id)["order_state"], "REFUSED");
    assert_eq!(h.get_json("/api/offers?sku=S")["offers"][0]["quantity"], 3);
}

#[test]
fn or21_rules() {
    let h = Harness::with(SandboxConfig::for_tests().partial_acceptance(false));
    h.console("POST", "/offers", &json!([{ "sku": "A", "price": "5", "quantity": 10 }, { "sku": "B", "price": "7", "quantity": 10 }]));
    h.console("POST", "/orders", &json!({ "order_id": "R-1-A", "lines": [{ "offer_sku": "A", "quantity": 1 }, { "offer_sku": "B", "quantity": 1 }] }));
    let missing = h.put_json(
        "/api/orders/R-1-A/accept",
        &json!({ "order_lines": [{ "id": "R-1-A-1", "accepted": true }] }),
    );
    assert_eq!(missing.status, 400);
    assert!(missing
        .text()
        .contains("ORDER_LINE_ACCEPTANCE_DECISION_MISSING"));
    let partial = h.put_json(
        "/api/orders/R-1-A/accept",
        &json!({ "order_lines": [{ "id": "R-1-A-1", "accepted": true }, { "id": "R-1-A-2", "accepted": false }] }),
    );
    assert_eq!(partial.status, 400);
    assert!(partial.text().contains("ORDER_PARTIAL_ACCEPTANCE_DISABLED"));
    let unknown = h.put_json("/api/orders/NOPE/accept", &json!({ "order_lines": [] }));
    assert_eq!(unknown.status, 404);
    h.accept_all("R-1-A");
    assert_eq!(h.order("R-1-A")["order_state"], "WAITING_DEBIT_PAYMENT");
    let again = h.put_json("/api/orders/R-1-A/accept", &json!({ "order_lines": [{ "id": "R-1-A-1", "accepted": true }, { "id": "R-1-A-2", "accepted": true }] }));
    assert_eq!(again.status, 400);
    assert!(again.text().contains("ORDER_INVALID_STATE"));
}

#[test]
fn partial_acceptance_when_enabled() {
    let h = Harness::start();
    h.console("POST", "/offers", &json!([{ "sku": "A", "price": "5", "quantity": 10 }, { "sku": "B", "price": "7", "quantity": 10 }]));
    h.console("POST", "/orders", &json!({ "order_id": "Q-1-A", "lines": [{ "offer_sku": "A", "quantity": 1 }, { "offer_sku": "B", "quantity": 2 }] }));
    let r = h.put_json("/api/orders/Q-1-A/accept", &json!({ "order_lines": [{ "id": "Q-1-A-1", "accepted": true }, { "id": "Q-1-A-2", "accepted": false }] }));
    assert_eq!(r.status, 204);
    let order = h.order("Q-1-A");
    assert_eq!(order["order_state"], "WAITING_DEBIT_PAYMENT");
    assert_eq!(order["order_lines"][1]["order_line_state"], "REFUSED");
    assert_eq!(amount(&order["price"]), "5.00");
}

#[test]
fn acceptance_window_expires_into_refusal() {
    let h = Harness::with(SandboxConfig::for_tests().acceptance_window_secs(3600));
    h.order_of("W-1-A", "W", "9.99", 2);
    h.order_of("W-2-A", "W2", "9.99", 1);
    h.sandbox.advance_clock(3599);
    assert_eq!(h.order("W-1-A")["order_state"], "WAITING_ACCEPTANCE");
    h.sandbox.advance_clock(1);
    let order = h.order("W-1-A");
    assert_eq!(order["order_state"], "REFUSED");
    assert_eq!(
        h.get_json("/api/offers?sku=W")["offers"][0]["quantity"],
        100
    );
    // The console can also expire a window at once.
    h.order_of("W-3-A", "W3", "1", 1);
    h.console("POST", "/orders/W-3-A/expire-acceptance", &json!({}));
    assert_eq!(h.order("W-3-A")["order_state"], "REFUSED");
}

#[test]
fn shipping_rules_or23_or24_or29() {
    let h = Harness::start();
    h.order_of("T-1-A", "T", "30", 1);
    assert_eq!(
        h.call("PUT", "/api/orders/T-1-A/ship", None, b"").status,
        400
    );
    assert_eq!(
        h.put_json(
            "/api/orders/T-1-A/tracking",
            &json!({ "carrier_code": "UPS", "tracking_number": "1Z" })
        )
        .status,
        400
    );
    h.accept_all("T-1-A");
    h.console("POST", "/orders/T-1-A/debit", &json!({}));
    let order = h.order("T-1-A");
    assert_eq!(order["order_state"], "SHIPPING");
    assert_eq!(order["can_cancel"], true);
    assert_eq!(
        h.put_json(
            "/api/orders/T-1-A/tracking",
            &json!({ "carrier_code": "NOPE" })
        )
        .status,
        400
    );
    assert_eq!(
        h.put_json(
            "/api/orders/T-1-A/tracking",
            &json!({ "carrier_code": "UPS", "tracking_number": "1Z999" })
        )
        .status,
        204
    );
    let order = h.order("T-1-A");
    assert_eq!(order["shipping_carrier_code"], "UPS");
    assert!(order["shipping_tracking_url"]
        .as_str()
        .expect("url")
        .contains("1Z999"));
    assert_eq!(
        h.call("PUT", "/api/orders/T-1-A/ship", None, b"").status,
        204
    );
    assert_eq!(h.order("T-1-A")["order_state"], "SHIPPED");
    assert_eq!(
        h.call("PUT", "/api/orders/T-1-A/ship", None, b"").status,
        400
    );
    assert_eq!(
        h.call("PUT", "/api/orders/T-1-A/cancel", None, b"").status,
        400
    );

    h.order_of("T-2-A", "T2", "30", 1);
    assert_eq!(
        h.call("PUT", "/api/orders/T-2-A/cancel", None, b"").status,
        400,
        "not cancelable before acceptance"
    );
    h.accept_all("T-2-A");
    assert_eq!(
        h.call("PUT", "/api/orders/T-2-A/cancel", None, b"").status,
        204
    );
    assert_eq!(h.order("T-2-A")["order_state"], "CANCELED");
    assert_eq!(
        h.get_json("/api/offers?sku=T2")["offers"][0]["quantity"],
        100
    );
}

#[test]
fn or28_never_refunds_more_than_is_left() {
    let h = Harness::start();
    h.order_of("F-1-A", "F", "50", 2);
    h.accept_all("F-1-A");
    let early = h.put_json(
        "/api/orders/refund",
        &json!({ "refunds": [{ "order_line_id": "F-1-A-1", "amount": 1, "reason_code": "15" }] }),
    );
    assert_eq!(early.status, 400, "no refund before debit");
    h.console("POST", "/orders/F-1-A/debit", &json!({}));
    let too_much = h.put_json("/api/orders/refund", &json!({ "refunds": [{ "order_line_id": "F-1-A-1", "amount": 100.01, "reason_code": "15" }] }));
    assert_eq!(too_much.status, 400);
    let bad_reason = h.put_json(
        "/api/orders/refund",
        &json!({ "refunds": [{ "order_line_id": "F-1-A-1", "amount": 1, "reason_code": "34" }] }),
    );
    assert_eq!(bad_reason.status, 400);
    let first = h.put_json("/api/orders/refund", &json!({ "refunds": [{ "order_line_id": "F-1-A-1", "amount": "60", "shipping_amount": 0, "reason_code": "15" }] }));
    assert_eq!(first.status, 200, "{}", first.text());
    let body = first.json().expect("json");
    assert_eq!(amount(&body["refunds"][0]["amount"]), "60.00");
    // Two refunds in one call are checked together: 30 + 10.01 > 40 left.
    let split = h.put_json(
        "/api/orders/refund",
        &json!({ "refunds": [
            { "order_line_id": "F-1-A-1", "amount": 30, "reason_code": "15" },
            { "order_line_id": "F-1-A-1", "amount": 10.01, "reason_code": "15" }
        ] }),
    );
    assert_eq!(split.status, 400);
    let order = h.order("F-1-A");
    assert_eq!(
        order["order_lines"][0]["refunds"]
            .as_array()
            .map(|a| a.len()),
        Some(1),
        "a refused call changes nothing"
    );
    let rest = h.put_json("/api/orders/refund", &json!({ "refunds": [{ "order_line_id": "F-1-A-1", "amount": 40, "shipping_amount": 9.80, "reason_code": "16" }] }));
    assert_eq!(rest.status, 200, "{}", rest.text());
    let order = h.order("F-1-A");
    assert_eq!(order["order_lines"][0]["order_line_state"], "REFUNDED");
    assert_eq!(order["order_lines"][0]["can_refund"], false);
    assert_eq!(order["fully_refunded"], true);
}

#[test]
fn st01_creates_shipments_or_404_when_disabled() {
    let h = Harness::start();
    h.order_of("M-1-A", "M", "12", 2);
    h.accept_all("M-1-A");
    h.console("POST", "/orders/M-1-A/debit", &json!({}));
    let r = h.post_json(
        "/api/shipments",
        &json!({ "shipments": [
            { "order_id": "M-1-A", "shipped": true, "tracking": { "carrier_code": "DHL", "tracking_number": "42" },
              "shipment_lines": [{ "order_line_id": "M-1-A-1", "quantity": 2 }] },
            { "order_id": "NOPE", "shipment_lines": [{ "offer_sku": "M", "quantity": 1 }] }
        ] }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = r.json().expect("json");
    assert_eq!(
        body["shipment_success"].as_array().map(|a| a.len()),
        Some(1)
    );
    assert_eq!(body["shipment_errors"].as_array().map(|a| a.len()), Some(1));
    assert_eq!(h.order("M-1-A")["order_state"], "SHIPPED");

    let off = Harness::with(SandboxConfig::for_tests().multi_shipment(false));
    let r = off.post_json("/api/shipments", &json!({ "shipments": [] }));
    assert_eq!(r.status, 404);
    assert_eq!(r.json().expect("json")["status"], 404);
}

#[test]
fn sto01_updates_stock_asynchronously_and_counts_errors() {
    let h = Harness::with(SandboxConfig::for_tests().import_delay_secs(60));
    h.console("POST", "/offers", &json!([{ "sku": "K1", "price": "5", "quantity": 1 }, { "sku": "K2", "price": "5", "quantity": 1 }]));
    let file = b"\"offer-sku\";\"quantity\";\"warehouse-code\";\"update-delete\"\n\"K1\";\"17\";\"\";\"\"\n\"K2\";\"-3\";\"\";\"\"\n\"UNKNOWN\";\"4\";\"\";\"\"\nK2;0;;delete\n";
    let r = h.upload("/api/offers/stock/imports", file, &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json().expect("json")["import_id"]
        .as_str()
        .expect("string id")
        .to_string();
    let status = h.get_json(&format!("/api/offers/stock/imports/{id}/status"));
    assert_eq!(status["status"], "WAITING");
    assert_eq!(h.get_json("/api/offers?sku=K1")["offers"][0]["quantity"], 1);
    h.sandbox.advance_clock(30);
    assert_eq!(
        h.get_json(&format!("/api/offers/stock/imports/{id}/status"))["status"],
        "RUNNING"
    );
    h.sandbox.advance_clock(30);
    let status = h.get_json(&format!("/api/offers/stock/imports/{id}/status"));
    assert_eq!(status["status"], "COMPLETE");
    assert_eq!(status["lines_in_success"], 2);
    assert_eq!(status["lines_in_error"], 2);
    assert_eq!(status["has_error_report"], true);
    assert_eq!(
        h.get_json("/api/offers?sku=K1")["offers"][0]["quantity"],
        17
    );
    assert_eq!(h.get_json("/api/offers?sku=K2")["offers"][0]["quantity"], 0);
    assert_eq!(h.get("/api/offers/stock/imports/999/status").status, 404);
}

#[test]
fn sto01_malformed_files_fail_without_crashing() {
    let h = Harness::start();
    let r = h.upload(
        "/api/offers/stock/imports",
        b"\xff\xfe garbage;;\"\n\"unterminated",
        &[],
    );
    assert_eq!(r.status, 201);
    let id = r.json().expect("json")["import_id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        h.get_json(&format!("/api/offers/stock/imports/{id}/status"))["status"],
        "FAILED"
    );
    let no_file = h.upload("/api/offers/stock/imports", b"", &[]);
    assert_eq!(no_file.status, 400);
    let broken = h.call(
        "POST",
        "/api/offers/stock/imports",
        Some("multipart/form-data"),
        b"--x\r\n",
    );
    assert_eq!(broken.status, 400);
    assert_eq!(h.get("/api/version").status, 200);
}

#[test]
fn of01_normal_and_replace_with_error_report() {
    let h = Harness::start();
    h.console(
        "POST",
        "/offers",
        &json!([{ "sku": "OLD", "price": "5", "quantity": 1 }]),
    );
    let file = "sku;product-id;product-id-type;price;quantity;state;update-delete;discount-price\n\
                N1;EAN1;EAN;19,90;5;11;update;\n\
                N2;EAN2;EAN;abc;5;11;update;\n\
                N3;EAN3;EAN;9.50;;11;;8,00\n";
    let r = h.upload(
        "/api/offers/imports",
        file.as_bytes(),
        &[("import_mode", "NORMAL")],
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json().expect("json")["import_id"]
        .as_i64()
        .expect("numeric id");
    let status = h.get_json(&format!("/api/offers/imports/{id}"));
    assert_eq!(status["status"], "COMPLETE");
    assert_eq!(status["lines_read"], 3);
    assert_eq!(status["offer_inserted"], 2);
    assert_eq!(status["lines_in_error"], 1);
    let report = h.get(&format!("/api/offers/imports/{id}/error_report"));
    assert_eq!(report.status, 200);
    let text = report.text();
    assert!(text.contains("\"error-line\";\"error-message\""));
    assert!(text.contains("N2"));
    let n3 = h.get_json("/api/offers?sku=N3");
    assert_eq!(amount(&n3["offers"][0]["price"]), "8.00");
    assert_eq!(h.get_json("/api/offers?sku=OLD")["total_count"], 1);

    let replace = "sku;product-id;product-id-type;price;quantity;state\nN1;EAN1;EAN;21;6;11\n";
    let r = h.upload(
        "/api/offers/imports",
        replace.as_bytes(),
        &[("import_mode", "REPLACE")],
    );
    let id = r.json().expect("json")["import_id"].as_i64().expect("id");
    let status = h.get_json(&format!("/api/offers/imports/{id}"));
    assert_eq!(status["offer_updated"], 1);
    assert_eq!(status["offer_deleted"], 2);
    assert_eq!(status["has_error_report"], false);
    assert_eq!(
        h.get(&format!("/api/offers/imports/{id}/error_report"))
            .status,
        404
    );
    assert_eq!(h.get_json("/api/offers")["total_count"], 1);
    assert_eq!(
        h.upload(
            "/api/offers/imports",
            b"sku\n",
            &[("import_mode", "WHATEVER")]
        )
        .status,
        400
    );
}

#[test]
fn of51_exports_all_then_the_delta() {
    let h = Harness::start();
    h.console("POST", "/offers", &json!({ "generate": 5 }));
    let full = h.get("/api/offers/export");
    assert_eq!(full.status, 200);
    assert_eq!(full.text().lines().count(), 6);
    let since = h.console("GET", "/clock", &json!({}))["now"]
        .as_str()
        .expect("now")
        .to_string();
    h.sandbox.advance_clock(10);
    let file = "sku;product-id;price;quantity;update-delete\nSKU-000002;x;1;1;delete\nSKU-000003;x;3;3;update\n";
    h.upload("/api/offers/imports", file.as_bytes(), &[]);
    let delta = h.get(&format!(
        "/api/offers/export?last_request_date={}",
        mirakl_sandbox::http::percent_encode(&since)
    ));
    let text = delta.text();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("\"SKU-000002\"") && text.contains("\"true\""));
    assert_eq!(
        h.get("/api/offers/export?last_request_date=notadate")
            .status,
        400
    );
}

#[test]
fn rate_limits_answer_429_with_retry_after() {
    let h = Harness::with(SandboxConfig::for_tests().rate_limit_scale(1.0));
    assert_eq!(h.get("/api/orders").status, 200);
    let limited = h.get("/api/orders");
    assert_eq!(limited.status, 429);
    let wait: u64 = limited
        .header("Retry-After")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait));
    assert_eq!(limited.json().expect("json")["status"], 429);
    // Event-driven APIs are not limited.
    assert_eq!(h.get("/api/version").status, 200);
    assert_eq!(h.get("/api/version").status, 200);

    let fast = Harness::with(SandboxConfig::for_tests().rate_limit_scale(0.001));
    assert_eq!(fast.get("/api/orders").status, 200);
    assert_eq!(fast.get("/api/orders").status, 429);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(fast.get("/api/orders").status, 200);
}

#[test]
fn tl02_seek_pagination() {
    let h = Harness::start();
    h.order_of("L-1-A", "L", "10", 1);
    h.accept_all("L-1-A");
    h.console("POST", "/orders/L-1-A/debit", &json!({}));
    let first = h.get_json("/api/sellerpayment/transactions_logs?limit=4&order_id=L-1-A");
    assert_eq!(first["data"].as_array().map(|a| a.len()), Some(4));
    let token = first["next_page_token"]
        .as_str()
        .expect("token")
        .to_string();
    let second = h.get_json(&format!(
        "/api/sellerpayment/transactions_logs?page_token={token}"
    ));
    assert_eq!(second["data"].as_array().map(|a| a.len()), Some(2));
    assert!(second.get("next_page_token").is_none());
    assert!(second["previous_page_token"].is_string());
    assert_eq!(
        h.get("/api/sellerpayment/transactions_logs?limit=2001")
            .status,
        400
    );
    assert_eq!(
        h.get("/api/sellerpayment/transactions_logs?page_token=zz")
            .status,
        400
    );
    let fees = h.get_json("/api/sellerpayment/transactions_logs?transaction_type=COMMISSION_FEE");
    assert_eq!(fees["data"].as_array().map(|a| a.len()), Some(1));
}
