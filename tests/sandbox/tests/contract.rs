//! Contract tests against Mirakl's own seller OpenAPI document: every JSON body the sandbox
//! produces for the shop API operations is validated against that operation's response schema,
//! and the request examples from the fixtures are accepted.
//!
//! `null` is treated as absent on both sides (INDEX.md): null members are removed from the
//! instance before validation. The 2.6 MB document is loaded once per test binary.

mod common;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use common::Harness;
use serde_json::{json, Value};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/mirakl"
);

fn openapi() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let text =
            std::fs::read_to_string(format!("{FIXTURES}/openapi/mirakl-mmp-seller-openapi.json"))
                .expect("OpenAPI document");
        serde_json::from_str(&text).expect("OpenAPI JSON")
    })
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/examples/{name}"))
        .unwrap_or_else(|e| panic!("example {name}: {e}"))
}

/// The response schema of `method path` for `status`, as a standalone 2020-12 schema whose
/// `#/components/...` references resolve inside it.
fn response_schema(path: &str, method: &str, status: &str) -> Value {
    let doc = openapi();
    let operation = &doc["paths"][path][method];
    assert!(
        operation.is_object(),
        "no operation {method} {path} in the document"
    );
    let schema = operation["responses"][status]["content"]["application/json"]["schema"].clone();
    assert!(
        schema.is_object(),
        "no JSON schema for {method} {path} {status}"
    );
    let mut root = schema.as_object().cloned().unwrap_or_default();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("components".into(), doc["components"].clone());
    Value::Object(root)
}

fn validator(path: &str, method: &str, status: &str) -> &'static jsonschema::Validator {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static jsonschema::Validator>>> =
        OnceLock::new();
    let key = format!("{method} {path} {status}");
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    cache.entry(key).or_insert_with(|| {
        let schema = response_schema(path, method, status);
        let compiled = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .expect("schema compiles");
        Box::leak(Box::new(compiled))
    })
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn schema_errors(path: &str, method: &str, status: u16, body: &Value) -> Vec<String> {
    let instance = without_nulls(body);
    validator(path, method, &status.to_string())
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// Checks `response` is `status` and its body matches the operation's response schema.
fn conforms(
    code: &str,
    path: &str,
    method: &str,
    status: u16,
    response: &mirakl_sandbox::client::ClientResponse,
) -> Value {
    assert_eq!(response.status, status, "{code}: {}", response.text());
    let body = response.json().unwrap_or_else(|e| panic!("{code}: {e}"));
    let errors = schema_errors(path, method, status, &body);
    assert!(
        errors.is_empty(),
        "{code} response does not match Mirakl's schema:\n{}\n{body:#}",
        errors.join("\n")
    );
    body
}

/// A marketplace with an order in every interesting state, built through the public API.
fn busy_marketplace() -> Harness {
    let h = Harness::start();
    h.console("POST", "/offers", &json!({ "generate": 20 }));
    h.order_of("C-1-A", "C1", "60", 2);
    h.order_of("C-2-A", "C2", "19.99", 1);
    h.accept_all("C-2-A");
    h.console("POST", "/orders/C-2-A/debit", &json!({}));
    h.put_json(
        "/api/orders/C-2-A/tracking",
        &json!({ "carrier_code": "DHL", "tracking_number": "JD01" }),
    );
    h.call("PUT", "/api/orders/C-2-A/ship", None, b"");
    let refund = h.put_json("/api/orders/refund", &json!({ "refunds": [{ "order_line_id": "C-2-A-1", "amount": 5, "shipping_amount": 1, "reason_code": "15" }] }));
    assert_eq!(refund.status, 200, "{}", refund.text());
    h.order_of("C-3-A", "C3", "12.50", 3);
    h.console("POST", "/orders/C-3-A/expire-acceptance", &json!({}));
    h.console("POST", "/payout", &json!({}));
    h
}

#[test]
fn validator_rejects_a_broken_body() {
    // A control: the schema check must be able to fail.
    let errors = schema_errors(
        "/api/orders",
        "get",
        200,
        &json!({ "orders": [{ "order_id": 5 }], "total_count": "x" }),
    );
    assert!(errors.len() >= 2, "{errors:?}");
}

#[test]
fn reference_data_conforms() {
    let h = busy_marketplace();
    conforms("A01", "/api/account", "get", 200, &h.get("/api/account"));
    conforms(
        "SH21",
        "/api/shipping/carriers",
        "get",
        200,
        &h.get("/api/shipping/carriers"),
    );
    conforms("RE01", "/api/reasons", "get", 200, &h.get("/api/reasons"));
    // V01 has no schema in the document; its example is the contract.
    let version = h.get("/api/version").json().expect("json");
    let expected: Value = serde_json::from_slice(&example("V01_version.json")).expect("example");
    assert_eq!(
        version.as_object().map(|o| o.keys().collect::<Vec<_>>()),
        expected.as_object().map(|o| o.keys().collect::<Vec<_>>())
    );
}

#[test]
fn orders_conform() {
    let h = busy_marketplace();
    for query in [
        "",
        "?order_tax_mode=TAX_EXCLUDED",
        "?order_state_codes=SHIPPED",
        "?paginate=false",
    ] {
        let body = conforms(
            "OR11",
            "/api/orders",
            "get",
            200,
            &h.get(&format!("/api/orders{query}")),
        );
        assert!(body["total_count"].as_i64().unwrap_or(0) >= 1);
    }
    let refund = h.put_json("/api/orders/refund", &json!({ "refunds": [{ "order_line_id": "C-2-A-1", "amount": "2.5", "reason_code": "16" }] }));
    conforms("OR28", "/api/orders/refund", "put", 200, &refund);
    h.order_of("C-4-A", "C4", "8", 2);
    h.accept_all("C-4-A");
    h.console("POST", "/orders/C-4-A/debit", &json!({}));
    let shipments = h.post_json(
        "/api/shipments",
        &json!({ "shipments": [
            { "order_id": "C-4-A", "shipped": true, "shipment_lines": [{ "order_line_id": "C-4-A-1", "quantity": 2 }],
              "tracking": { "carrier_code": "UPS", "tracking_number": "1Z" } },
            { "order_id": "C-404-A", "shipment_lines": [{ "offer_sku": "C4", "quantity": 1 }] }
        ] }),
    );
    conforms("ST01", "/api/shipments", "post", 201, &shipments);
}

#[test]
fn order_shapes_real_operators_send_conform() {
    let h = Harness::start();
    h.console(
        "POST",
        "/offers",
        &json!({ "sku": "S1", "price": "30", "quantity": 100 }),
    );
    let order = |id: &str, customer: Value, extra: Value| {
        let mut body = json!({ "order_id": id, "lines": [{ "offer_sku": "S1", "quantity": 2 }], "customer": customer });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        h.console("POST", "/orders", &body);
    };
    order(
        "SH-1-A",
        json!({ "country": "France Métropolitaine", "country_iso_code": null }),
        json!({}),
    );
    order(
        "SH-2-A",
        json!({ "country": "Deutschland", "country_iso_code": "DEU", "state": "Bayern" }),
        json!({
            "shipping": { "type_code": "EXPRESS", "type_label": "Express 24h", "zone_code": "EU", "zone_label": "Europe" },
            "additional_fields": [{ "code": "gift-message", "type": "TEXTAREA", "value": "Happy birthday" }],
            "has_customer_message": true,
            "line_extras": [{ "discount": "5.00", "additional_fields": [{ "code": "engraving", "type": "STRING", "value": "A & B" }] }]
        }),
    );
    order(
        "SH-3-A",
        json!({ "country": "België", "country_iso_code": null }),
        json!({ "shipping": { "type_code": "PICKUP", "type_label": "Point relais", "zone_code": "BE" } }),
    );
    for query in ["", "?order_tax_mode=TAX_EXCLUDED"] {
        let response = h.get(&format!("/api/orders{query}"));
        assert_eq!(response.status, 200);
        let body = response.json().expect("json");
        // Real operators send `country_iso_code: null` (docs/field-lessons.md) where the
        // document lists it as required: that, and only that, is let through.
        let errors: Vec<String> = schema_errors("/api/orders", "get", 200, &body)
            .into_iter()
            .filter(|e| !e.contains("\"country_iso_code\" is a required property"))
            .collect();
        assert!(errors.is_empty(), "OR11{query}: {errors:?}");
        let orders = body["orders"].as_array().expect("orders");
        let find = |id: &str| orders.iter().find(|o| o["order_id"] == id).expect(id);
        let label_only = &find("SH-1-A")["customer"]["shipping_address"];
        assert_eq!(label_only["country"], "France Métropolitaine");
        assert!(label_only["country_iso_code"].is_null());
        let express = find("SH-2-A");
        assert_eq!(express["shipping_type_code"], "EXPRESS");
        assert_eq!(express["shipping_type_label"], "Express 24h");
        assert_eq!(express["shipping_zone_code"], "EU");
        assert_eq!(
            express["customer"]["billing_address"]["country_iso_code"],
            "DEU"
        );
        assert_eq!(express["has_customer_message"], true);
        assert_eq!(
            express["order_additional_fields"][0]["code"],
            "gift-message"
        );
        let line = &express["order_lines"][0];
        assert_eq!(line["order_line_additional_fields"][0]["value"], "A & B");
        let deduced = common::amount(&line["promotions"][0]["deduced_amount"]);
        assert_eq!(
            common::amount(&express["promotions"]["total_deduced_amount"]),
            deduced
        );
        // The line's price is after the promotion: the origin price less it, to the cent.
        let origin: rust_decimal::Decimal =
            common::amount(&line["origin_unit_price"]).parse().unwrap();
        let price: rust_decimal::Decimal = common::amount(&line["price"]).parse().unwrap();
        let deduced: rust_decimal::Decimal = deduced.parse().unwrap();
        assert_eq!(
            origin * rust_decimal::Decimal::from(2) - deduced,
            price,
            "{query}"
        );
        if query.is_empty() {
            assert_eq!(deduced.to_string(), "5.00");
        }
        assert_eq!(find("SH-3-A")["shipping_zone_code"], "BE");
    }
}

#[test]
fn cancelations_an_orders_own_tax_mode_and_a_fulfillment_center_conform() {
    let h = Harness::start();
    h.order_of("CX-1-A", "X1", "30", 3);
    h.accept_all("CX-1-A");
    let response = h.put_json(
        "/api/orders/cancel",
        &json!({ "cancelations": [{ "order_line_id": "CX-1-A-1", "quantity": 1, "amount": 30, "shipping_amount": 0, "reason_code": "34" }] }),
    );
    let body = conforms("OR30", "/api/orders/cancel", "put", 200, &response);
    assert_eq!(body["cancelations"][0]["quantity"], 1);
    // More than what is left, or a refund reason, is refused.
    for bad in [
        json!({ "cancelations": [{ "order_line_id": "CX-1-A-1", "quantity": 3, "reason_code": "34" }] }),
        json!({ "cancelations": [{ "order_line_id": "CX-1-A-1", "quantity": 1, "reason_code": "15" }] }),
    ] {
        assert_eq!(h.put_json("/api/orders/cancel", &bad).status, 400);
    }
    h.console(
        "POST",
        "/orders",
        &json!({ "order_id": "CX-2-A", "lines": [{ "offer_sku": "X1", "quantity": 1 }], "tax_mode": "TAX_EXCLUDED", "fulfillment_center": "OPERATOR-DC1" }),
    );
    for query in ["", "?order_tax_mode=TAX_EXCLUDED"] {
        let response = h.get(&format!("/api/orders{query}"));
        let body = conforms("OR11", "/api/orders", "get", 200, &response);
        let orders = body["orders"].as_array().expect("orders");
        let find = |id: &str| orders.iter().find(|o| o["order_id"] == id).expect(id);
        let line = &find("CX-1-A")["order_lines"][0];
        assert_eq!(line["quantity"], 3, "OR11 keeps the ordered quantity");
        assert_eq!(line["cancelations"].as_array().map(Vec::len), Some(1));
        assert_eq!(line["cancelations"][0]["reason_code"], "34");
        assert_eq!(line["order_line_state"], "WAITING_DEBIT_PAYMENT");
        assert_eq!(find("CX-2-A")["order_tax_mode"], "TAX_EXCLUDED", "{query}");
        assert_eq!(
            find("CX-2-A")["fulfillment"]["center"]["code"],
            "OPERATOR-DC1"
        );
    }
}

#[test]
fn offers_and_imports_conform() {
    let h = busy_marketplace();
    conforms(
        "OF21",
        "/api/offers",
        "get",
        200,
        &h.get("/api/offers?max=100"),
    );
    let stock = h.upload(
        "/api/offers/stock/imports",
        b"offer-sku;quantity\nSKU-000001;4\nNOPE;1\n",
        &[],
    );
    let body = conforms("STO01", "/api/offers/stock/imports", "post", 201, &stock);
    let id = body["import_id"].as_str().expect("id").to_string();
    conforms(
        "STO02",
        "/api/offers/stock/imports/{import_id}/status",
        "get",
        200,
        &h.get(&format!("/api/offers/stock/imports/{id}/status")),
    );
    let offers = h.upload(
        "/api/offers/imports",
        b"sku;product-id;price;quantity\nZ1;P1;3;3\nZ2;P2;x;1\n",
        &[("import_mode", "NORMAL")],
    );
    let body = conforms("OF01", "/api/offers/imports", "post", 201, &offers);
    let id = body["import_id"].as_i64().expect("id");
    conforms(
        "OF02",
        "/api/offers/imports/{import}",
        "get",
        200,
        &h.get(&format!("/api/offers/imports/{id}")),
    );
    let report = h.get(&format!("/api/offers/imports/{id}/error_report"));
    assert_eq!(report.status, 200);
    let content_types: Vec<&String> = openapi()["paths"]
        ["/api/offers/imports/{import}/error_report"]["get"]["responses"]["200"]["content"]
        .as_object()
        .map(|c| c.keys().collect())
        .unwrap_or_default();
    assert!(content_types.iter().any(|t| report
        .header("Content-Type")
        .is_some_and(|h| h.starts_with(t.as_str()))));
}

#[test]
fn finance_conforms() {
    let h = busy_marketplace();
    let body = conforms(
        "TL02",
        "/api/sellerpayment/transactions_logs",
        "get",
        200,
        &h.get("/api/sellerpayment/transactions_logs?limit=5"),
    );
    let token = body["next_page_token"]
        .as_str()
        .expect("more pages")
        .to_string();
    conforms(
        "TL02",
        "/api/sellerpayment/transactions_logs",
        "get",
        200,
        &h.get(&format!(
            "/api/sellerpayment/transactions_logs?page_token={token}"
        )),
    );
    let body = conforms("IV01", "/api/invoices", "get", 200, &h.get("/api/invoices"));
    assert_eq!(body["total_count"], 1);
}

#[test]
fn errors_have_mirakls_shape() {
    let h = Harness::start();
    for (status, response) in [
        (
            401,
            mirakl_sandbox::client::send(h.sandbox.addr(), "GET", "/api/orders", &[], b"")
                .expect("answer"),
        ),
        (404, h.get("/api/offers/imports/77")),
        (400, h.get("/api/orders?max=x")),
    ] {
        assert_eq!(response.status, status);
        let body = response.json().expect("json");
        assert_eq!(body["status"], status);
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn request_examples_are_accepted() {
    let h = Harness::start();
    // OR21: line id "Order_00012-B-1".
    h.order_of("Order_00012-B", "EX-ACCEPT", "10", 1);
    let r = h.call(
        "PUT",
        "/api/orders/Order_00012-B/accept",
        Some("application/json"),
        &example("OR21_accept_request.json"),
    );
    assert_eq!(r.status, 204, "OR21 example: {}", r.text());

    // OR23 then OR28 (TAX_EXCLUDED, USD, taxes given as strings) on "Order_00010-A-1".
    h.console(
        "POST",
        "/offers",
        &json!({ "sku": "EX-REFUND", "price": "60", "quantity": 5 }),
    );
    h.console("POST", "/orders", &json!({ "order_id": "Order_00010-A", "currency_iso_code": "USD", "lines": [{ "offer_sku": "EX-REFUND", "quantity": 1 }] }));
    h.accept_all("Order_00010-A");
    h.console("POST", "/orders/Order_00010-A/debit", &json!({}));
    let r = h.call(
        "PUT",
        "/api/orders/Order_00010-A/tracking",
        Some("application/json"),
        &example("OR23_tracking_request.json"),
    );
    assert_eq!(r.status, 204, "OR23 example: {}", r.text());
    let r = h.call(
        "PUT",
        "/api/orders/refund",
        Some("application/json"),
        &example("OR28_refund_request.json"),
    );
    let body = conforms("OR28", "/api/orders/refund", "put", 200, &r);
    assert_eq!(body["order_tax_mode"], "TAX_EXCLUDED");
    assert_eq!(common::amount(&body["refunds"][0]["amount"]), "1.50");

    // ST01: order ORDER_01-A with OFFER_SKU_1 × 1 and OFFER_SKU_2 × 3.
    h.console("POST", "/offers", &json!([{ "sku": "OFFER_SKU_1", "price": "5", "quantity": 5 }, { "sku": "OFFER_SKU_2", "price": "6", "quantity": 5 }]));
    h.console(
        "POST",
        "/orders",
        &json!({ "order_id": "ORDER_01-A", "lines": [{ "offer_sku": "OFFER_SKU_1", "quantity": 1 }, { "offer_sku": "OFFER_SKU_2", "quantity": 3 }] }),
    );
    h.accept_all("ORDER_01-A");
    h.console("POST", "/orders/ORDER_01-A/debit", &json!({}));
    let r = h.call(
        "POST",
        "/api/shipments",
        Some("application/json"),
        &example("ST01_create_shipments_request.json"),
    );
    let body = conforms("ST01", "/api/shipments", "post", 201, &r);
    assert_eq!(body["shipment_errors"], json!([]), "{body:#}");
    assert_eq!(h.order("ORDER_01-A")["order_state"], "SHIPPED");

    // OF01: the multi-channel CSV with its decimal comma, in NORMAL mode.
    let r = h.upload(
        "/api/offers/imports",
        &example("OF01_offers_import_file_multichannel.csv"),
        &[
            ("import_mode", "NORMAL"),
            ("operator_format", "true"),
            ("with_products", "true"),
        ],
    );
    let id = r.json().expect("json")["import_id"].as_i64().expect("id");
    let status = h.get_json(&format!("/api/offers/imports/{id}"));
    assert_eq!(status["lines_in_error"], 0, "{status:#}");
    assert_eq!(status["offer_inserted"], 1);
    let offer = h.get_json("/api/offers?sku=OFFER_SKU_004");
    assert_eq!(offer["offers"][0]["quantity"], 1_000_000);
    assert_eq!(common::amount(&offer["offers"][0]["price"]), "108.56");
}

#[test]
fn mirakls_own_examples_pass_the_same_check() {
    // A control in the other direction: the validator and the null handling are not stricter
    // than Mirakl's own examples on types, enums and shapes.
    for (file, path, method, status) in [
        ("A01_account_response.json", "/api/account", "get", 200),
        (
            "SH21_carriers_response.json",
            "/api/shipping/carriers",
            "get",
            200,
        ),
        (
            "OR11_orders_list_b2b_refunds_cancelations.json",
            "/api/orders",
            "get",
            200,
        ),
        (
            "OR28_refund_response.json",
            "/api/orders/refund",
            "put",
            200,
        ),
        (
            "ST01_create_shipments_response.json",
            "/api/shipments",
            "post",
            201,
        ),
        (
            "OF01_offers_import_response.json",
            "/api/offers/imports",
            "post",
            201,
        ),
        (
            "OF21_offers_list_single_channel.json",
            "/api/offers",
            "get",
            200,
        ),
        (
            "TL02_transaction_logs_response.json",
            "/api/sellerpayment/transactions_logs",
            "get",
            200,
        ),
        ("IV01_invoices_response.json", "/api/invoices", "get", 200),
    ] {
        let body: Value = serde_json::from_slice(&example(file)).expect("example JSON");
        // Mirakl's examples omit some required fields (INDEX.md); every other rule must hold.
        let errors: Vec<String> = schema_errors(path, method, status, &body)
            .into_iter()
            .filter(|e| !e.contains("is a required property"))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}
