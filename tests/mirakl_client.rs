//! The client over a scripted transport: in-call retries for reads, `OutcomeUnknown` for writes
//! that may have reached Mirakl, 429 with `Retry-After`, error classes and codes, call budgets
//! refused without touching the network, `shop_id`, redaction of the key, offset pagination.

mod mirakl_support;

use chrono::{TimeZone, Utc};
use mirakl_connector::error::ErrorCode;
use mirakl_connector::mirakl::budget::{limits_for, CallBudget, Limit, MemoryBudget};
use mirakl_connector::mirakl::fake::ScriptedTransport;
use mirakl_connector::mirakl::orders::{LineDecision, OrderQuery};
use mirakl_connector::mirakl::stock::StockLine;
use mirakl_connector::mirakl::{
    Client, ErrorClass, MiraklError, Response, RetryPolicy, TransportErrorKind,
};
use mirakl_support::{config, fixture, scripted_client, TEST_KEY};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const VERSION: &str = r#"{"version":"3.210"}"#;

fn transport() -> Arc<ScriptedTransport> {
    Arc::new(ScriptedTransport::new())
}

#[test]
fn a_read_is_retried_after_a_server_error_and_a_dropped_connection() {
    let t = transport();
    t.respond(503, r#"{"status":503,"message":"maintenance"}"#)
        .fail(TransportErrorKind::Dropped, "connection reset")
        .respond(200, VERSION);
    let (client, waits) = scripted_client(Arc::clone(&t));
    let version = client.account().version().expect("third try succeeds");
    assert_eq!(version.version, "3.210");
    assert_eq!(t.calls(), 3);
    let waits = waits.lock().unwrap();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] <= Duration::from_millis(250) && waits[1] <= Duration::from_millis(500));
}

#[test]
fn a_read_gives_up_after_max_attempts_with_a_transient_error() {
    let t = transport();
    for _ in 0..5 {
        t.respond(502, "Bad Gateway");
    }
    let (client, _) = scripted_client(Arc::clone(&t));
    let error = client.account().version().expect_err("keeps failing");
    assert_eq!(t.calls(), 3, "max_attempts counts the first try");
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(error.code(), ErrorCode::MiraklTransient);
    assert!(error.is_transient());
}

#[test]
fn a_write_whose_connection_dropped_is_outcome_unknown_and_not_resent() {
    for kind in [TransportErrorKind::Dropped, TransportErrorKind::Timeout] {
        let t = transport();
        t.fail(kind, "connection closed before the answer")
            .respond(204, "");
        let (client, waits) = scripted_client(Arc::clone(&t));
        let error = client
            .orders()
            .accept_lines("O-1", &[LineDecision::accept("O-1-1")])
            .expect_err("outcome unknown");
        assert_eq!(error.class(), ErrorClass::OutcomeUnknown, "{kind:?}");
        assert_eq!(error.code(), ErrorCode::MiraklOutcomeUnknown);
        assert_eq!(t.calls(), 1, "{kind:?}: never re-sent");
        assert!(waits.lock().unwrap().is_empty());
        assert!(!error.is_transient());
    }
}

#[test]
fn a_write_500_is_outcome_unknown_but_503_is_retried() {
    let t = transport();
    t.respond(500, r#"{"message":"oops"}"#);
    let (client, _) = scripted_client(Arc::clone(&t));
    let error = client.orders().ship("O-1").expect_err("500");
    assert_eq!(error.class(), ErrorClass::OutcomeUnknown);
    assert_eq!(t.calls(), 1);

    let t = transport();
    t.respond(503, "busy").respond(204, "");
    let (client, _) = scripted_client(Arc::clone(&t));
    client
        .orders()
        .ship("O-1")
        .expect("503 means not processed: retried");
    assert_eq!(t.calls(), 2);
}

#[test]
fn a_write_that_could_not_connect_is_retried() {
    let t = transport();
    t.fail(TransportErrorKind::Connect, "connection refused")
        .respond(204, "");
    let (client, _) = scripted_client(Arc::clone(&t));
    client
        .orders()
        .ship("O-1")
        .expect("nothing was sent: safe to retry");
    assert_eq!(t.calls(), 2);
}

#[test]
fn throttling_honours_retry_after_in_call_and_requeues_long_waits() {
    let t = transport();
    t.respond_with(Response::new(429, "Too many requests").with_header("Retry-After", "2"))
        .respond(200, VERSION);
    let (client, waits) = scripted_client(Arc::clone(&t));
    client.account().version().expect("retried after 2 s");
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(2)]);

    let t = transport();
    t.respond_with(Response::new(429, "").with_header("Retry-After", "120"));
    let (client, waits) = scripted_client(Arc::clone(&t));
    let error = client
        .account()
        .version()
        .expect_err("too long to wait in-call");
    assert_eq!(
        error.class(),
        ErrorClass::Throttled {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(error.code(), ErrorCode::MiraklThrottled);
    assert!(waits.lock().unwrap().is_empty());
    assert_eq!(t.calls(), 1);
}

#[test]
fn a_throttled_write_is_retried_because_it_was_not_processed() {
    let t = transport();
    t.respond_with(Response::new(429, "").with_header("retry-after", "1"))
        .respond(204, "");
    let (client, _) = scripted_client(Arc::clone(&t));
    client.orders().ship("O-1").expect("retried");
    assert_eq!(t.calls(), 2);
}

#[test]
fn client_auth_and_decode_errors_are_classified_with_mirakls_message() {
    let t = transport();
    t.respond(
        400,
        r#"{"status":400,"message":"The limit of 100 is exceeded for the parameter : order_ids"}"#,
    )
    .respond(401, r#"{"status":401,"message":"Unauthorized"}"#)
    .respond(403, "Forbidden")
    .respond(200, "{not json")
    .respond(404, "<html>Not found</html>");
    let (client, _) = scripted_client(Arc::clone(&t));
    let error = client.account().version().expect_err("400");
    assert_eq!(
        error.class(),
        ErrorClass::Client {
            status: 400,
            message: "The limit of 100 is exceeded for the parameter : order_ids".to_owned()
        }
    );
    assert_eq!(error.code(), ErrorCode::MiraklRejected);
    let error = client.account().version().expect_err("401");
    assert_eq!(
        (error.class(), error.code()),
        (ErrorClass::Auth, ErrorCode::MiraklAuth)
    );
    let error = client.account().version().expect_err("403");
    assert_eq!(error.class(), ErrorClass::Auth);
    let error = client.account().version().expect_err("malformed");
    assert_eq!(
        (error.class(), error.code()),
        (ErrorClass::Decode, ErrorCode::MiraklDecode)
    );
    let error = client.account().version().expect_err("404");
    assert!(
        matches!(error.class(), ErrorClass::Client { status: 404, ref message } if message.contains("Not found"))
    );
    assert_eq!(t.calls(), 5, "none of these is retried");
}

#[test]
fn the_budget_refuses_without_touching_the_network() {
    let t = transport();
    t.respond(201, r#"{"import_id":"1"}"#)
        .respond(201, r#"{"import_id":"2"}"#);
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 7, 0, 0).unwrap();
    let clock = Arc::new(Mutex::new(now));
    let clock_reader = Arc::clone(&clock);
    let client = Client::new(
        &config("https://x.test/api"),
        Arc::clone(&t),
        MemoryBudget::new(),
    )
    .with_clock(move || *clock_reader.lock().unwrap());
    let lines = [StockLine::new("SKU", 1)];
    assert_eq!(client.stock().import(&lines).expect("first").import_id, "1");

    *clock.lock().unwrap() = now + chrono::Duration::seconds(20);
    let error = client
        .stock()
        .import(&lines)
        .expect_err("STO01 is once a minute");
    let until = now + chrono::Duration::seconds(60);
    assert_eq!(
        error.class(),
        ErrorClass::BudgetExhausted {
            until,
            wait: Duration::from_secs(40)
        }
    );
    assert_eq!(error.code(), ErrorCode::CallBudgetExhausted);
    assert_eq!(t.calls(), 1, "refused before the transport");

    *clock.lock().unwrap() = until;
    assert_eq!(
        client
            .stock()
            .import(&lines)
            .expect("allowed again")
            .import_id,
        "2"
    );
}

#[test]
fn budget_table_follows_the_documented_maximum_usage() {
    let minute = |n| Limit {
        window_secs: 60,
        max_calls: n,
    };
    assert_eq!(limits_for("OR11"), [minute(1)]);
    assert_eq!(limits_for("STO01"), [minute(1)]);
    assert_eq!(limits_for("OF01"), [minute(1)]);
    assert_eq!(
        limits_for("STO02"),
        [Limit {
            window_secs: 15,
            max_calls: 1
        }]
    );
    assert_eq!(
        limits_for("TL02"),
        [
            minute(20),
            Limit {
                window_secs: 3600,
                max_calls: 60
            }
        ]
    );
    assert_eq!(
        limits_for("A01"),
        [Limit {
            window_secs: 86_400,
            max_calls: 1
        }]
    );
    assert_eq!(
        limits_for("SH21"),
        [Limit {
            window_secs: 86_400,
            max_calls: 1
        }]
    );
    for per_event in [
        "OR21", "OR23", "OR24", "OR28", "OR29", "ST01", "V01", "RE01", "OF21",
    ] {
        assert!(limits_for(per_event).is_empty(), "{per_event}");
    }
}

#[test]
fn memory_budget_applies_every_window() {
    let budget = MemoryBudget::new();
    let start = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
    let limits = limits_for("TL02");
    for i in 0..20 {
        let at = start + chrono::Duration::seconds(i);
        assert_eq!(
            budget.try_acquire("TL02", limits, at).unwrap(),
            Ok(()),
            "call {i}"
        );
    }
    let refused = budget
        .try_acquire("TL02", limits, start + chrono::Duration::seconds(30))
        .unwrap();
    assert_eq!(
        refused,
        Err(start + chrono::Duration::seconds(60)),
        "21st call in a minute"
    );
    // 60 calls an hour: three full minutes, then the hour window blocks.
    for minute in 1..3 {
        for i in 0..20 {
            let at = start + chrono::Duration::seconds(60 * minute + i);
            assert_eq!(budget.try_acquire("TL02", limits, at).unwrap(), Ok(()));
        }
    }
    let at = start + chrono::Duration::seconds(60 * 10);
    assert_eq!(
        budget.try_acquire("TL02", limits, at).unwrap(),
        Err(start + chrono::Duration::seconds(3600))
    );
    assert_eq!(budget.recorded("TL02"), 60);
}

#[test]
fn shop_id_is_added_to_every_call() {
    let t = transport();
    t.respond(200, VERSION);
    let mut settings = config("https://x.test/api");
    settings.shop_id = Some(2001);
    let client = Client::new(&settings, Arc::clone(&t), MemoryBudget::new());
    client.account().version().expect("ok");
    assert_eq!(t.requests()[0].query_value("shop_id"), Some("2001"));
}

#[test]
fn the_api_key_never_shows_in_debug_or_errors() {
    let settings = config("https://x.test/api");
    assert!(!format!("{settings:?}").contains(TEST_KEY));
    let http = mirakl_connector::mirakl::HttpTransport::new(&settings).expect("transport");
    assert!(!format!("{http:?}").contains(TEST_KEY));
    let t = transport();
    t.respond(401, r#"{"message":"Unauthorized"}"#);
    let client = Client::new(&settings, Arc::clone(&t), MemoryBudget::new());
    assert!(!format!("{client:?}").contains(TEST_KEY));
    let error = client.account().version().expect_err("401");
    assert!(!error.to_string().contains(TEST_KEY));
    assert!(!format!("{error:?}").contains(TEST_KEY));
}

#[test]
fn or11_pages_until_total_count_then_stops() {
    let t = transport();
    let page = |ids: &[&str], total: usize| {
        let orders: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({"order_id": id, "order_state": "WAITING_ACCEPTANCE", "order_lines": []}))
            .collect();
        serde_json::json!({"orders": orders, "total_count": total}).to_string()
    };
    t.respond(200, page(&["A", "B"], 5))
        .respond(200, page(&["C", "D"], 5))
        .respond(200, page(&["E"], 5));
    let (client, _) = scripted_client(Arc::clone(&t));
    // Every page is an OR11 call (once a minute): the budget's clock moves a minute per look.
    let minutes = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let client = client.with_clock(move || {
        let n = minutes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
            + chrono::Duration::seconds(61 * n)
    });
    let query = OrderQuery {
        page_size: Some(2),
        ..OrderQuery::default()
    };
    let ids: Vec<String> = client
        .orders()
        .list(query)
        .flat_map(|page| page.expect("page").orders)
        .map(|order| order.order_id)
        .collect();
    assert_eq!(ids, ["A", "B", "C", "D", "E"]);
    let offsets: Vec<String> = t
        .requests()
        .iter()
        .map(|r| r.query_value("offset").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(offsets, ["0", "2", "4"]);
}

#[test]
fn pagination_stops_at_the_first_error_and_tells_where_to_resume() {
    let t = transport();
    t.respond(
        200,
        fixture("OR11_orders_list_b2b_refunds_cancelations.json")
            .replace("\"total_count\": 1", "\"total_count\": 3"),
    )
    .respond(400, r#"{"message":"nope"}"#);
    let (client, _) = scripted_client(Arc::clone(&t));
    let mut pages = client.orders().list(OrderQuery {
        page_size: Some(1),
        ..OrderQuery::default()
    });
    assert!(pages.next().expect("first").is_ok());
    assert!(pages.next().expect("second").is_err());
    assert!(pages.next().is_none());
    assert_eq!(pages.offset(), 1);
}

#[test]
fn in_call_retries_stop_within_the_time_limit() {
    let t = transport();
    for _ in 0..10 {
        t.respond(503, "");
    }
    let (client, waits) = scripted_client(Arc::clone(&t));
    let client = client.with_policy(RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(30),
        in_call_limit: Duration::from_secs(3),
    });
    let error = client.account().version().expect_err("fails");
    assert!(matches!(error, MiraklError::Server { status: 503, .. }));
    // 2 s cap fits in 3 s, the 4 s cap would not: one retry only.
    assert_eq!(t.calls(), 2);
    assert_eq!(waits.lock().unwrap().len(), 1);
}

#[test]
fn every_error_maps_to_a_stable_code_that_agrees_on_transience() {
    use mirakl_connector::error::Coded;
    use mirakl_connector::mirakl::ApiCode;
    let api = ApiCode::OR21;
    let text = || "m".to_owned();
    let errors = vec![
        MiraklError::Connect {
            api,
            message: text(),
        },
        MiraklError::Server {
            api,
            status: 503,
            message: text(),
        },
        MiraklError::ReadInterrupted {
            api,
            message: text(),
            timed_out: false,
        },
        MiraklError::Throttled {
            api,
            retry_after: None,
        },
        MiraklError::Client {
            api,
            status: 400,
            message: text(),
        },
        MiraklError::Auth {
            api,
            status: 401,
            message: text(),
        },
        MiraklError::Decode {
            api,
            message: text(),
        },
        MiraklError::OutcomeUnknown {
            api,
            message: text(),
        },
        MiraklError::BudgetExhausted {
            api,
            until: Utc::now(),
            wait: Duration::ZERO,
        },
        MiraklError::BudgetUnavailable {
            api,
            message: text(),
        },
        MiraklError::Invalid {
            api,
            message: text(),
        },
    ];
    for error in &errors {
        assert_eq!(
            error.is_transient(),
            Coded::code(error).is_transient(),
            "{error:?}"
        );
        assert_eq!(error.api(), api);
    }
}

#[test]
fn client_config_comes_from_validated_settings() {
    let settings = mirakl_connector::settings::validate(&serde_json::json!({
        "api_url": "https://acme.mirakl.net/api",
        "api_key": "k-123",
        "shop_id": 2001,
    }))
    .expect("valid settings");
    let config = mirakl_connector::mirakl::ClientConfig::from_settings(&settings).expect("config");
    assert_eq!(config.base_url.as_str(), "https://acme.mirakl.net/api");
    assert_eq!(config.api_key.expose(), "k-123");
    assert_eq!(config.shop_id, Some(2001));
    assert_eq!(config.timeout, settings.timeout());
    assert_eq!(
        config.host_mode,
        mirakl_connector::settings::HostMode::Production
    );
    let local = mirakl_connector::settings::validate_in(
        &serde_json::json!({"api_url": "http://127.0.0.1:9/api", "api_key": "k"}),
        mirakl_connector::settings::HostMode::Development,
    )
    .expect("development mode allows a loopback sandbox");
    let config = mirakl_connector::mirakl::ClientConfig::from_settings(&local).expect("config");
    assert_eq!(
        config.host_mode,
        mirakl_connector::settings::HostMode::Development,
        "the client checks hosts in the mode the settings were validated in"
    );
}

#[test]
fn retry_after_reads_seconds_and_http_dates() {
    use mirakl_connector::mirakl::client::parse_retry_after;
    assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
    assert_eq!(
        parse_retry_after(" 1.5 "),
        Some(Duration::from_millis(1500))
    );
    let in_a_minute = (Utc::now() + chrono::Duration::seconds(60))
        .to_rfc2822()
        .replace("+0000", "GMT");
    let wait = parse_retry_after(&in_a_minute).expect("HTTP date");
    assert!(
        wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        Some(Duration::ZERO),
        "past dates: now"
    );
    assert_eq!(parse_retry_after("soon"), None);
}

#[test]
fn a_hostile_retry_after_is_cut_to_the_longest_wait_and_never_panics() {
    use mirakl_connector::mirakl::client::{parse_retry_after, MAX_RETRY_AFTER};
    for hostile in [
        "99999999999999999999",
        "18446744073709551615",
        "1e300",
        "86400",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        assert_eq!(
            parse_retry_after(hostile),
            Some(MAX_RETRY_AFTER),
            "{hostile:?}"
        );
    }
    for refused in ["-5", "NaN", "inf", "-inf"] {
        assert_eq!(parse_retry_after(refused), None, "{refused:?}");
    }
}

#[test]
fn answers_refused_by_the_connector_limits_say_why_and_others_do_not() {
    use mirakl_connector::mirakl::{ApiCode, TransportError};
    let too_large = MiraklError::from_transport(
        ApiCode::OR11,
        false,
        TransportError::new(TransportErrorKind::TooLarge { limit: 8 << 20 }, "big"),
    );
    let refusal = too_large.refusal().expect("too large is a refusal");
    assert_eq!(refusal.reason, "too_large");
    assert!(refusal.message.contains("OR11") && refusal.message.contains("8388608"));
    let slow = MiraklError::from_transport(
        ApiCode::OR11,
        false,
        TransportError::new(TransportErrorKind::Timeout, "slow"),
    );
    assert_eq!(slow.refusal().map(|r| r.reason), Some("timeout"));
    let dropped = MiraklError::from_transport(
        ApiCode::OR11,
        false,
        TransportError::new(TransportErrorKind::Dropped, "reset"),
    );
    assert_eq!(
        dropped.refusal(),
        None,
        "a dropped connection is no refusal"
    );
    let clamped = MiraklError::from_status(
        ApiCode::OR11,
        false,
        429,
        mirakl_connector::mirakl::client::parse_retry_after("99999999999999999999"),
        String::new(),
    );
    assert_eq!(clamped.refusal().map(|r| r.reason), Some("retry_after"));
    let short = MiraklError::from_status(
        ApiCode::OR11,
        false,
        429,
        Some(std::time::Duration::from_secs(30)),
        String::new(),
    );
    assert_eq!(
        short.refusal(),
        None,
        "an ordinary Retry-After is no refusal"
    );
}
