//! The HTTP transport on the wire, against a one-shot local server: the raw key in
//! `Authorization` (no `Bearer`), the connector's `User-Agent`, gzip accepted and decoded,
//! `shop_id` and dates URL-encoded, STO01 sent as `multipart/form-data` with the `file` part.
//! And against a hostile server: an announced giant, a gzip bomb, an endless body and a body
//! dripped a byte at a time each end as a bounded, typed error, never as memory or a stall.

use flate2::write::GzEncoder;
use flate2::Compression;
use mirakl_connector::mirakl::orders::OrderQuery;
use mirakl_connector::mirakl::stock::StockLine;
use mirakl_connector::mirakl::{
    ApiCode, Client, ClientConfig, ErrorClass, MemoryBudget, MiraklError, ResponseLimits,
    RetryPolicy,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const KEY: &str = "raw-shop-key-123";

/// Serves one connection: records the request, then writes `response`.
fn serve_once(response: Vec<u8>) -> (SocketAddr, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let request = read_request(&mut stream);
        stream.write_all(&response).expect("write");
        request
    });
    (addr, handle)
}

fn read_request(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let read = stream.read(&mut buffer).expect("read");
        data.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&data).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let head = text[..end].to_ascii_lowercase();
            let body_len = text.len() - end - 4;
            let wanted = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let chunked_done =
                head.contains("transfer-encoding: chunked") && text.ends_with("0\r\n\r\n");
            if wanted.map_or(!head.contains("transfer-encoding"), |n| body_len >= n) || chunked_done
            {
                return text;
            }
        }
        if read == 0 {
            return String::from_utf8_lossy(&data).to_string();
        }
    }
}

fn http_response(status: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    response
}

fn client(
    addr: SocketAddr,
    shop_id: Option<i64>,
) -> Client<mirakl_connector::mirakl::HttpTransport, MemoryBudget> {
    let mut config =
        ClientConfig::new(format!("http://{addr}/api").parse().expect("url"), KEY).development();
    config.shop_id = shop_id;
    config.timeout = Duration::from_secs(5);
    Client::connect(&config, MemoryBudget::new()).expect("client")
}

fn header<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    request.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[test]
fn headers_on_the_wire_and_a_gzip_answer() {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    gzip.write_all(br#"{"version":"3.210"}"#).expect("gzip");
    let body = gzip.finish().expect("gzip");
    let (addr, server) = serve_once(http_response(
        "200 OK",
        "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
        &body,
    ));
    let version = client(addr, Some(7)).account().version().expect("V01");
    assert_eq!(version.version, "3.210", "gzip body decoded");
    let request = server.join().expect("server");
    assert!(
        request.starts_with("GET /api/version?shop_id=7 HTTP/1.1\r\n"),
        "{request}"
    );
    assert_eq!(
        header(&request, "authorization"),
        Some(KEY),
        "raw key, no Bearer"
    );
    assert_eq!(
        header(&request, "user-agent"),
        Some(concat!(
            "mirakl-connector-for-woocommerce/",
            env!("CARGO_PKG_VERSION")
        ))
    );
    assert!(header(&request, "accept-encoding").is_some_and(|v| v.contains("gzip")));
    assert_eq!(header(&request, "accept"), Some("application/json"));
}

#[test]
fn query_dates_are_url_encoded() {
    let (addr, server) = serve_once(http_response(
        "200 OK",
        "",
        br#"{"orders":[],"total_count":0}"#,
    ));
    let query = OrderQuery {
        start_update_date: Some(
            chrono::DateTime::parse_from_rfc3339("2026-11-27T08:00:00+02:00")
                .expect("date")
                .with_timezone(&chrono::Utc),
        ),
        ..OrderQuery::default()
    };
    let pages: Vec<_> = client(addr, None).orders().list(query).collect();
    assert_eq!(pages.len(), 1);
    let request = server.join().expect("server");
    let request_line = request.lines().next().expect("request line");
    assert!(
        request_line.contains("start_update_date=2026-11-27T06%3A00%3A00.000Z"),
        "{request_line}"
    );
}

#[test]
fn sto01_is_multipart_with_the_file_part() {
    let (addr, server) = serve_once(http_response("201 Created", "", br#"{"import_id":"77"}"#));
    let created = client(addr, None)
        .stock()
        .import(&[StockLine::new("SKU-1", 5)])
        .expect("STO01");
    assert_eq!(created.import_id, "77");
    let request = server.join().expect("server");
    assert!(
        request.starts_with("POST /api/offers/stock/imports HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(header(&request, "content-type")
        .is_some_and(|v| v.starts_with("multipart/form-data; boundary=")));
    assert!(
        request.contains("name=\"file\"; filename=\"stock.csv\""),
        "{request}"
    );
    assert!(request.contains("\"offer-sku\";\"quantity\";\"warehouse-code\";\"update-delete\""));
    assert!(request.contains("\"SKU-1\";\"5\";\"\";\"\""));
}

#[test]
fn a_write_whose_answer_never_comes_times_out_as_outcome_unknown() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let request = read_request(&mut stream);
        std::thread::sleep(Duration::from_millis(1500));
        request
    });
    let mut config =
        ClientConfig::new(format!("http://{addr}/api").parse().expect("url"), KEY).development();
    config.timeout = Duration::from_millis(500);
    let client = Client::connect(&config, MemoryBudget::new()).expect("client");
    let error = client.orders().ship("O-1").expect_err("no answer in time");
    assert_eq!(
        error.class(),
        mirakl_connector::mirakl::ErrorClass::OutcomeUnknown
    );
    let request = server.join().expect("server");
    assert!(request.starts_with("PUT /api/orders/O-1/ship HTTP/1.1"));
}

/// Serves one connection: reads the request, then lets `answer` write whatever it likes. Write
/// errors are the client hanging up, which is what these servers expect.
fn serve_with(
    answer: impl FnOnce(&mut TcpStream) -> std::io::Result<()> + Send + 'static,
) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        read_request(&mut stream);
        let _ = answer(&mut stream);
    });
    (addr, handle)
}

const MIB: u64 = 1024 * 1024;

fn capped_client(
    addr: SocketAddr,
    limits: ResponseLimits,
    timeout: Duration,
) -> Client<mirakl_connector::mirakl::HttpTransport, MemoryBudget> {
    let mut config =
        ClientConfig::new(format!("http://{addr}/api").parse().expect("url"), KEY).development();
    config.timeout = timeout;
    config.limits = limits;
    Client::connect(&config, MemoryBudget::new()).expect("client")
}

fn one_mib_json() -> ResponseLimits {
    ResponseLimits {
        json_bytes: MIB,
        csv_bytes: 4 * MIB,
    }
}

fn assert_too_large(error: &MiraklError, api: ApiCode, limit: u64) {
    assert!(
        matches!(error, MiraklError::TooLarge { api: a, limit: l } if *a == api && *l == limit),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("{api}: response from {api} exceeded {limit} bytes")
    );
    assert_eq!(
        error.class(),
        ErrorClass::Decode,
        "not retried within the call"
    );
}

/// V01 against `addr` with a 1 MiB JSON cap ends as `TooLarge`.
fn v01_is_too_large(addr: SocketAddr) {
    let error = capped_client(addr, one_mib_json(), Duration::from_secs(10))
        .account()
        .version()
        .expect_err("over the cap");
    assert_too_large(&error, ApiCode::V01, MIB);
}

#[test]
fn an_announced_giant_is_refused_before_its_body_is_read() {
    let (addr, server) = serve_with(|stream| {
        stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{\"version\":",
        )?;
        // The rest never comes: a client that waited for it would hang until the timeout.
        std::thread::sleep(Duration::from_secs(3));
        Ok(())
    });
    let started = Instant::now();
    v01_is_too_large(addr);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "refused at the header, not after reading"
    );
    server.join().expect("server");
}

#[test]
fn a_gzip_bomb_stops_at_the_inflated_cap() {
    // 256 MiB of zeros in about 256 KiB of gzip: far over the 1 MiB cap once inflated.
    let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; MIB as usize];
    for _ in 0..256 {
        gzip.write_all(&zeros).expect("gzip");
    }
    let bomb = gzip.finish().expect("gzip");
    assert!(
        bomb.len() < 1024 * 1024,
        "the wire size is under the cap: {}",
        bomb.len()
    );
    let (addr, server) = serve_once(http_response(
        "200 OK",
        "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
        &bomb,
    ));
    v01_is_too_large(addr);
    let _ = server.join();
}

#[test]
fn a_body_without_length_stops_at_the_cap() {
    let (addr, server) = serve_with(|stream| {
        stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        )?;
        let block = vec![b' '; 64 * 1024];
        // 16 MiB of whitespace, cut off by the client after 1 MiB.
        for _ in 0..256 {
            stream.write_all(&block)?;
        }
        Ok(())
    });
    v01_is_too_large(addr);
    server.join().expect("server");
}

#[test]
fn a_chunked_body_stops_at_the_cap() {
    let (addr, server) = serve_with(|stream| {
        stream.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?;
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
        for _ in 0..64 {
            stream.write_all(chunk.as_bytes())?;
        }
        stream.write_all(b"0\r\n\r\n")
    });
    v01_is_too_large(addr);
    server.join().expect("server");
}

#[test]
fn a_csv_export_has_its_own_larger_cap() {
    // 2 MiB: over the JSON cap, under the CSV one.
    let mut csv = b"\"error-line\";\"error-message\"\n".to_vec();
    while csv.len() < 2 * MIB as usize {
        csv.extend_from_slice(b"\"1\";\"a long enough message to fill the export\"\n");
    }
    let (addr, server) = serve_once(http_response("200 OK", "Content-Type: text/csv\r\n", &csv));
    let body = capped_client(addr, one_mib_json(), Duration::from_secs(10))
        .send_bytes(mirakl_connector::mirakl::offers::error_report("9"))
        .expect("under the CSV cap");
    assert_eq!(body.len(), csv.len());
    server.join().expect("server");

    let (addr, server) = serve_once(http_response("200 OK", "Content-Type: text/csv\r\n", &csv));
    let tight = ResponseLimits {
        json_bytes: 4 * MIB,
        csv_bytes: MIB,
    };
    let error = capped_client(addr, tight, Duration::from_secs(10))
        .send_bytes(mirakl_connector::mirakl::offers::error_report("9"))
        .expect_err("over the CSV cap");
    assert_too_large(&error, ApiCode::OF03, MIB);
    let _ = server.join();
}

#[test]
fn a_write_whose_answer_is_too_large_is_an_unknown_outcome() {
    let (addr, server) = serve_with(|stream| {
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n")
    });
    let error = capped_client(addr, one_mib_json(), Duration::from_secs(10))
        .orders()
        .ship("O-1")
        .expect_err("too large");
    assert_eq!(error.class(), ErrorClass::OutcomeUnknown, "{error}");
    assert!(
        error.to_string().contains("exceeded 1048576 bytes"),
        "{error}"
    );
    server.join().expect("server");
}

#[test]
fn a_drip_fed_body_is_cut_at_the_timeout() {
    let (addr, server) = serve_with(|stream| {
        stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        )?;
        // A byte every 100 ms: each read gets something, the whole never arrives in time.
        for _ in 0..1000 {
            stream.write_all(b" ")?;
            stream.flush()?;
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    });
    let started = Instant::now();
    // One attempt: in-call retries would each get a deadline of their own (bounded by the policy).
    let error = capped_client(addr, one_mib_json(), Duration::from_secs(1))
        .with_policy(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .account()
        .version()
        .expect_err("never complete in time");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(4),
        "cut at the deadline, took {took:?}"
    );
    assert_eq!(error.class(), ErrorClass::Transient, "{error}");
    assert!(
        matches!(error, MiraklError::ReadInterrupted { .. }),
        "{error:?}"
    );
    drop(server);
}

/// OR11 `list` at offset 0 as the raw JSON the transport hands on.
fn or11_page(addr: SocketAddr, limits: ResponseLimits) -> Result<serde_json::Value, MiraklError> {
    let client = capped_client(addr, limits, Duration::from_secs(20));
    client.send_json(mirakl_connector::mirakl::orders::list(
        &OrderQuery::default(),
        0,
    ))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    gzip.write_all(bytes).expect("gzip");
    gzip.finish().expect("gzip")
}

#[test]
fn an_order_page_keeps_its_orders_under_the_cap_and_names_a_giant() {
    // One order of 3 MiB (3 times the 1 MiB cap on one order) before a well-formed one.
    let line = r#"{"order_line_id":"B-1-1","offer_sku":"SKU","quantity":1,"price":10}"#;
    let lines = vec![line; 3 * MIB as usize / line.len()].join(",");
    let page = format!(
        r#"{{"orders":[{{"order_id":"B-1","order_lines":[{lines}]}},{{"order_id":"G-1","order_lines":[{line}]}}],"total_count":2,"unreadable_orders":[{{"order_id":"forged"}}]}}"#
    );
    let (addr, server) = serve_once(http_response(
        "200 OK",
        "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
        &gzip(page.as_bytes()),
    ));
    let body = or11_page(addr, one_mib_json()).expect("the page is read");
    let _ = server.join();
    assert_eq!(body["orders"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["orders"][0]["order_id"], "G-1");
    assert_eq!(body["total_count"], 2);
    let unreadable = body["unreadable_orders"].as_array().expect("list");
    assert_eq!(
        unreadable.len(),
        1,
        "the server cannot add to it: {unreadable:?}"
    );
    assert_eq!(unreadable[0]["order_id"], "B-1");
    assert_eq!(unreadable[0]["reason"], "too_large");
    assert_eq!(unreadable[0]["lines"], 3 * MIB / line.len() as u64);
    assert!(unreadable[0]["bytes"]
        .as_u64()
        .is_some_and(|b| b > 3 * MIB - 100));
}

#[test]
fn an_order_page_streams_to_a_cap_of_its_own() {
    // 64 KiB an order, 256 KiB kept in all, so at most 1 MiB read: 5 MiB of orders is refused.
    let limits = ResponseLimits {
        json_bytes: 64 * 1024,
        csv_bytes: 256 * 1024,
    };
    let order = format!(r#"{{"order_id":"P","pad":"{}"}}"#, "x".repeat(100 * 1024));
    let page = format!(r#"{{"orders":[{}]}}"#, vec![order; 50].join(","));
    let (addr, server) = serve_once(http_response(
        "200 OK",
        "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
        &gzip(page.as_bytes()),
    ));
    let error = or11_page(addr, limits).expect_err("over the streamed cap");
    let _ = server.join();
    assert_too_large(&error, ApiCode::OR11, MIB);
}

#[test]
fn a_broken_order_page_is_a_decode_error() {
    let (addr, server) = serve_once(http_response(
        "200 OK",
        "Content-Type: application/json\r\n",
        br#"{"orders":[{"order_id":"A-1","order_lines":[}]}"#,
    ));
    let error = or11_page(addr, one_mib_json()).expect_err("not a page");
    let _ = server.join();
    assert!(
        matches!(&error, MiraklError::Decode { api: ApiCode::OR11, message } if message.contains("not an OR11 page")),
        "{error:?}"
    );
}

/// A listener that counts the connections it gets, for a short while.
fn count_connections(listener: TcpListener) -> JoinHandle<usize> {
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let mut connections = 0;
        let until = Instant::now() + Duration::from_millis(800);
        while Instant::now() < until {
            if listener.accept().is_ok() {
                connections += 1;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        connections
    })
}

fn production_client(url: &str) -> Client<mirakl_connector::mirakl::HttpTransport, MemoryBudget> {
    let mut config = ClientConfig::new(url.parse().expect("url"), KEY);
    config.timeout = Duration::from_secs(5);
    Client::connect(&config, MemoryBudget::new()).expect("client")
}

#[test]
fn outside_development_mode_a_loopback_host_is_refused_before_anything_is_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let connections = count_connections(listener);
    // A literal address, then a name that resolves to it: both refused, neither connects.
    for url in [
        format!("http://127.0.0.1:{port}/api"),
        format!("http://localhost:{port}/api"),
    ] {
        let error = production_client(&url).account().version().unwrap_err();
        // A literal host is refused before anything starts (settings-level, not retried); a
        // name refused at resolution is a connection that could not be made (DNS may change).
        assert!(
            matches!(
                (url.contains("localhost"), &error),
                (false, MiraklError::Invalid { .. }) | (true, MiraklError::Connect { .. })
            ),
            "{url}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("loopback"), "{url}: {message}");
        assert!(message.contains("refused"), "{url}: {message}");
        assert!(!message.contains(KEY));
    }
    let resolved = production_client(&format!("http://localhost:{port}/api"))
        .account()
        .version()
        .unwrap_err()
        .to_string();
    assert!(resolved.contains("resolves to"), "{resolved}");
    assert_eq!(
        connections.join().expect("listener"),
        0,
        "nothing reached it"
    );
}

#[test]
fn private_and_link_local_literal_hosts_are_refused_at_request_time() {
    for url in [
        "https://10.0.0.7/api",
        "https://192.168.1.20/api",
        "https://169.254.169.254/api",
        "https://[fd00::1]/api",
    ] {
        let error = production_client(url).account().version().unwrap_err();
        assert!(
            matches!(error, MiraklError::Invalid { .. }),
            "{url}: {error:?}"
        );
    }
}

#[test]
fn the_resolver_check_refuses_any_forbidden_address_among_the_answers() {
    use mirakl_connector::mirakl::transport::check_resolved;
    use mirakl_connector::settings::HostMode;
    let public: SocketAddr = "93.184.215.14:0".parse().unwrap();
    assert!(check_resolved("acme.mirakl.net", &[public], HostMode::Production).is_ok());
    // In development mode loopback and private answers pass, link-local ones never.
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let metadata: SocketAddr = "169.254.169.254:0".parse().unwrap();
    assert!(check_resolved("sandbox", &[loopback], HostMode::Development).is_ok());
    assert!(check_resolved("sandbox", &[loopback, metadata], HostMode::Development).is_err());
    for bad in [
        "169.254.169.254:0",
        "10.1.1.1:0",
        "127.0.0.1:0",
        "[::1]:0",
        "[fe80::2]:0",
    ] {
        let bad: SocketAddr = bad.parse().unwrap();
        let refused =
            check_resolved("acme.mirakl.net", &[public, bad], HostMode::Production).unwrap_err();
        assert_eq!(refused.address, bad.ip());
        assert!(refused.to_string().contains("acme.mirakl.net"), "{refused}");
    }
}
