//! Bad input never crashes the sandbox: garbage on the socket, odd headers, wrong JSON shapes on
//! every write route. Each answer is a Mirakl-shaped 4xx, and the server keeps serving.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Harness;
use serde_json::json;

fn raw(h: &Harness, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(h.sandbox.addr()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn still_serving(h: &Harness) {
    assert_eq!(h.get("/api/version").status, 200);
}

#[test]
fn garbage_on_the_socket() {
    let h = Harness::start();
    assert!(raw(&h, b"\x00\x01\x02 not http at all\r\n\r\n").starts_with("HTTP/1.1 400"));
    assert!(raw(
        &h,
        b"GET /api/version HTTP/1.1\r\nContent-Length: banana\r\n\r\n"
    )
    .starts_with("HTTP/1.1 400"));
    let mut huge = b"GET /api/version HTTP/1.1\r\n".to_vec();
    for n in 0..3000 {
        huge.extend_from_slice(format!("X-Filler-{n}: {}\r\n", "y".repeat(30)).as_bytes());
    }
    huge.extend_from_slice(b"\r\n");
    let answer = raw(&h, &huge);
    assert!(
        answer.starts_with("HTTP/1.1 431") || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    let long_line = format!("GET /api/version?q={} HTTP/1.1\r\n\r\n", "z".repeat(70_000));
    assert!(raw(&h, long_line.as_bytes()).starts_with("HTTP/1.1 431"));
    // A body shorter than announced, then the client gives up.
    let _ = raw(&h, b"PUT /api/orders/refund HTTP/1.1\r\nContent-Length: 100\r\nAuthorization: test-key\r\n\r\n{");
    // Chunked bodies are read; a broken chunk size is a 400.
    let chunked = raw(&h, b"PUT /api/orders/refund HTTP/1.1\r\nTransfer-Encoding: chunked\r\nAuthorization: test-key\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    assert!(chunked.starts_with("HTTP/1.1 400"), "{chunked}");
    assert!(raw(
        &h,
        b"PUT /api/orders/refund HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
    )
    .starts_with("HTTP/1.1 400"));
    assert!(raw(&h, b"GET /api/%zz%%/x?a=%&b==& HTTP/1.1\r\nAuthorization: test-key\r\nConnection: close\r\n\r\n").starts_with("HTTP/1.1 404"));
    still_serving(&h);
}

#[test]
fn wrong_json_shapes_on_every_write_route() {
    let h = Harness::start();
    h.order_of("B-1-A", "B", "10", 1);
    h.accept_all("B-1-A");
    h.console("POST", "/orders/B-1-A/debit", &json!({}));
    let shapes = [
        json!([]),
        json!("text"),
        json!(null),
        json!(42),
        json!({}),
        json!({ "order_lines": "x", "refunds": "x", "shipments": "x" }),
        json!({ "order_lines": [{ "id": 5 }], "refunds": [{ "order_line_id": 5, "amount": {} }], "shipments": [{ "order_id": [], "shipment_lines": [{ "quantity": "lots" }] }] }),
        json!({ "refunds": [{ "order_line_id": "B-1-A-1", "amount": "1e400", "reason_code": "15" }] }),
        json!({ "refunds": [{ "order_line_id": "B-1-A-1", "amount": -5, "reason_code": "15" }] }),
        json!({ "carrier_code": 7, "tracking_number": ["a"] }),
    ];
    for shape in &shapes {
        for (method, path) in [
            ("PUT", "/api/orders/B-1-A/accept"),
            ("PUT", "/api/orders/B-1-A/tracking"),
            ("PUT", "/api/orders/refund"),
            ("POST", "/api/shipments"),
        ] {
            let r = h.call(
                method,
                path,
                Some("application/json"),
                shape.to_string().as_bytes(),
            );
            let ok = r.status == 204 || r.status == 201;
            if !ok {
                assert!(
                    (400..500).contains(&r.status),
                    "{method} {path} {shape}: {} {}",
                    r.status,
                    r.text()
                );
                let body = r.json().expect("Mirakl error body");
                assert_eq!(body["status"], r.status);
            }
        }
    }
    still_serving(&h);
}

#[test]
fn malformed_csv_in_offer_imports() {
    let h = Harness::start();
    for file in [
        &b"no separator here\njust text\n"[..],
        b"sku;price\n\"unterminated;1\n",
        b"sku;price;quantity\nA;1;1;extra;cells\nB\n",
        b"\xef\xbb\xbfsku;product-id;price;quantity\nBOM;P;1;1\n",
        b"sku;product-id;price;quantity\n\xff\xfe;P;1;1\nOK;P;2;2\n",
    ] {
        let r = h.upload("/api/offers/imports", file, &[]);
        assert_eq!(r.status, 201, "{}", r.text());
        let id = r.json().expect("json")["import_id"].as_i64().expect("id");
        let status = h.get_json(&format!("/api/offers/imports/{id}"));
        assert!(
            status["status"] == "COMPLETE" || status["status"] == "FAILED",
            "{status}"
        );
    }
    assert_eq!(
        h.get_json("/api/offers?sku=BOM")["total_count"],
        1,
        "a UTF-8 BOM is tolerated"
    );
    assert_eq!(
        h.get_json("/api/offers?sku=OK")["total_count"],
        1,
        "a bad line does not stop the others"
    );
    still_serving(&h);
}

#[test]
fn absurd_amounts_are_refused_not_overflowed() {
    let h = Harness::start();
    let huge = client_send(
        &h,
        "/_sandbox/offers",
        &json!({ "sku": "H", "price": "79228162514264337593543950335", "quantity": 1 }),
    );
    assert_eq!(huge, 400);
    let huge_quantity = client_send(
        &h,
        "/_sandbox/offers",
        &json!({ "sku": "H", "price": "1", "quantity": 9_223_372_036_854_775_807i64 }),
    );
    assert_eq!(huge_quantity, 400);
    h.order_of("H-1-A", "H2", "10", 1);
    assert_eq!(
        client_send(
            &h,
            "/_sandbox/orders",
            &json!({ "lines": [{ "offer_sku": "H2", "quantity": 1, "price": "1e20" }] })
        ),
        400
    );
    h.accept_all("H-1-A");
    h.console("POST", "/orders/H-1-A/debit", &json!({}));
    let r = h.put_json("/api/orders/refund", &json!({ "refunds": [{ "order_line_id": "H-1-A-1", "amount": 79228162514264337593543950335.0f64, "reason_code": "15" }] }));
    assert_eq!(r.status, 400);
    let stock = h.upload(
        "/api/offers/stock/imports",
        b"offer-sku;quantity\nH2;99999999999999999\n",
        &[],
    );
    assert_eq!(stock.status, 201);
    assert_eq!(h.get_json("/api/orders")["total_count"], 1);
    still_serving(&h);
}

fn client_send(h: &Harness, path: &str, body: &serde_json::Value) -> u16 {
    mirakl_sandbox::client::send(
        h.sandbox.addr(),
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .expect("answer")
    .status
}
