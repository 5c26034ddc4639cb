//! The operator console over HTTP and the `mirakl-sandbox` binary's command line.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::Harness;
use mirakl_sandbox::client;
use serde_json::json;

#[test]
fn console_drives_the_marketplace() {
    let h = Harness::start();
    let before = h.console("GET", "/clock", &json!({}))["now"]
        .as_str()
        .expect("now")
        .to_string();
    assert_eq!(before, "2025-01-06T09:00:00.000Z");
    let after = h.console(
        "POST",
        "/clock/advance",
        &json!({ "hours": 1, "minutes": 30 }),
    );
    assert_eq!(after["now"], "2025-01-06T10:30:00.000Z");

    h.console("POST", "/offers", &json!({ "generate": 30 }));
    let random = h.console("POST", "/orders/random", &json!({ "count": 5 }));
    assert_eq!(random["order_ids"].as_array().map(|a| a.len()), Some(5));
    let state = h.console("GET", "/state", &json!({}));
    assert_eq!(state["orders"].as_array().map(|a| a.len()), Some(5));
    assert_eq!(state["offers"].as_array().map(|a| a.len()), Some(30));

    let expired = h.console("POST", "/expire-acceptance", &json!({}));
    assert_eq!(expired["expired"], 5);

    let page = client::send(h.sandbox.addr(), "GET", "/_sandbox/", &[], b"").expect("page");
    assert_eq!(page.status, 200);
    assert!(page
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("text/html")));
    assert!(page.text().contains("REFUSED"));

    let unknown =
        client::send(h.sandbox.addr(), "POST", "/_sandbox/nothing", &[], b"").expect("answer");
    assert_eq!(unknown.status, 404);
    let backwards = client::send(
        h.sandbox.addr(),
        "POST",
        "/_sandbox/clock/advance",
        &[],
        b"{\"seconds\":-5}",
    )
    .expect("answer");
    assert_eq!(backwards.status, 400);
    let overflow = client::send(
        h.sandbox.addr(),
        "POST",
        "/_sandbox/clock/advance",
        &[],
        b"{\"days\":9223372036854775807}",
    )
    .expect("answer");
    assert_eq!(overflow.status, 400);
    h.sandbox.advance_clock(i64::MAX);
    assert_eq!(
        h.console("GET", "/clock", &json!({}))["now"],
        "2025-01-06T10:30:00.000Z"
    );

    h.console("POST", "/reset", &json!({}));
    let state = h.console("GET", "/state", &json!({}));
    assert_eq!(state["orders"], json!([]));
    assert_eq!(state["now"], "2025-01-06T09:00:00.000Z");
}

#[test]
fn same_seed_same_marketplace() {
    let first = Harness::start();
    let second = Harness::start();
    for h in [&first, &second] {
        h.console("POST", "/offers", &json!({ "generate": 10 }));
        h.console("POST", "/orders/random", &json!({ "count": 3 }));
    }
    let a = first.console("GET", "/state", &json!({}));
    let b = second.console("GET", "/state", &json!({}));
    assert_eq!(a["orders"], b["orders"]);
}

#[test]
fn binary_prints_its_address_and_reads_a_config_file() {
    let config = std::env::temp_dir().join(format!("sandbox-config-{}.json", std::process::id()));
    std::fs::write(
        &config,
        r#"{"shop_id": 4242, "rate_limits_enabled": false}"#,
    )
    .expect("config written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mirakl-sandbox"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "CLI-KEY",
            "--seed",
            "7",
            "--config",
        ])
        .arg(&config)
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let mut first_line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("first line");
    let addr: std::net::SocketAddr = first_line
        .trim()
        .parse()
        .expect("an address on the first line");
    let account = client::send(
        addr,
        "GET",
        "/api/account",
        &[("Authorization", "CLI-KEY")],
        b"",
    )
    .expect("answer");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&config);
    assert_eq!(account.status, 200);
    assert_eq!(account.json().expect("json")["shop_id"], 4242);

    let bad = Command::new(env!("CARGO_BIN_EXE_mirakl-sandbox"))
        .args(["--bogus"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
}

#[test]
fn dropping_the_sandbox_closes_kept_alive_connections() {
    use std::io::{Read, Write};
    let h = Harness::start();
    let mut stream = std::net::TcpStream::connect(h.sandbox.addr()).expect("connect");
    stream
        .write_all(b"GET /api/version HTTP/1.1\r\nAuthorization: test-key\r\n\r\n")
        .expect("write");
    let mut buffer = [0u8; 512];
    let n = stream.read(&mut buffer).expect("first answer");
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
    drop(h);
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let _ = stream.write_all(b"GET /api/version HTTP/1.1\r\nAuthorization: test-key\r\n\r\n");
    let closed = matches!(stream.read(&mut buffer), Ok(0) | Err(_));
    assert!(
        closed,
        "the connection is closed once the sandbox is dropped"
    );
}

#[test]
fn demo_orders_arrive_on_their_own() {
    let config = mirakl_sandbox::SandboxConfig {
        initial_offers: 50,
        random_order_every_secs: 600,
        ..mirakl_sandbox::SandboxConfig::for_tests()
    };
    let h = Harness::with(config);
    assert_eq!(h.get_json("/api/orders")["total_count"], 0);
    h.sandbox.advance_clock(1800);
    assert_eq!(h.get_json("/api/orders")["total_count"], 3);
}
