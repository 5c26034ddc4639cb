//! Tolerant decoding: money as exact decimals from numbers or strings, dates with offsets, `Z`
//! and millis, integers as strings, `null` as absent.

use chrono::{TimeZone, Utc};
use mirakl_connector::mirakl::model::{self, parse_datetime, parse_decimal};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

#[derive(Debug, Deserialize)]
struct Probe {
    #[serde(default, deserialize_with = "model::decimal_opt")]
    amount: Option<Decimal>,
    #[serde(default, deserialize_with = "model::int_opt")]
    quantity: Option<i64>,
    #[serde(default, deserialize_with = "model::text_opt")]
    code: Option<String>,
    #[serde(default, deserialize_with = "model::date_opt")]
    at: Option<chrono::DateTime<Utc>>,
    #[serde(default, deserialize_with = "model::nullable")]
    list: Vec<String>,
}

fn probe(json: &str) -> Probe {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

#[test]
fn money_survives_as_number_and_as_string() {
    let cases = [
        (r#"{"amount": "12.10"}"#, "12.10"),
        (r#"{"amount": 12.1}"#, "12.1"),
        (r#"{"amount": 0.1}"#, "0.1"),
        (r#"{"amount": 0.30000000000000004}"#, "0.30000000000000004"),
        (r#"{"amount": 1234567.891}"#, "1234567.891"),
        (r#"{"amount": -8.5}"#, "-8.5"),
        (r#"{"amount": 173}"#, "173"),
        (r#"{"amount": "1"}"#, "1"),
        (r#"{"amount": 1e2}"#, "100"),
    ];
    for (json, expected) in cases {
        assert_eq!(probe(json).amount, Some(dec(expected)), "{json}");
    }
    // Scale is kept when given as text: "12.10" prints as 12.10.
    assert_eq!(
        probe(r#"{"amount": "12.10"}"#)
            .amount
            .map(|a| a.to_string()),
        Some("12.10".to_owned())
    );
    // 0.1 + 0.2 is exact in decimals.
    let sum =
        probe(r#"{"amount": 0.1}"#).amount.unwrap() + probe(r#"{"amount": "0.2"}"#).amount.unwrap();
    assert_eq!(sum, dec("0.3"));
}

#[test]
fn null_and_empty_read_as_absent() {
    let p = probe(r#"{"amount": null, "quantity": null, "code": null, "at": null, "list": null}"#);
    assert_eq!(
        (p.amount, p.quantity, p.code, p.at),
        (None, None, None, None)
    );
    assert!(p.list.is_empty());
    let p = probe(r#"{"amount": "", "at": ""}"#);
    assert_eq!((p.amount, p.at), (None, None));
    let p = probe("{}");
    assert_eq!((p.amount, p.quantity), (None, None));
}

#[test]
fn integers_and_codes_accept_strings_and_numbers() {
    assert_eq!(probe(r#"{"quantity": "3"}"#).quantity, Some(3));
    assert_eq!(probe(r#"{"quantity": 3.0}"#).quantity, Some(3));
    assert!(serde_json::from_str::<Probe>(r#"{"quantity": 3.5}"#).is_err());
    assert_eq!(probe(r#"{"code": 34}"#).code.as_deref(), Some("34"));
    assert_eq!(probe(r#"{"code": "34"}"#).code.as_deref(), Some("34"));
}

#[test]
fn dates_with_offsets_z_and_millis() {
    let base = Utc.with_ymd_and_hms(2019, 4, 2, 14, 58, 22).unwrap();
    let cases = [
        ("2019-04-02T14:58:22Z", base),
        (
            "2019-04-02T14:58:22.460Z",
            base + chrono::Duration::milliseconds(460),
        ),
        ("2019-04-02T16:58:22+02:00", base),
        ("2019-04-02T16:58:22.000+0200", base),
        ("2019-04-02T15:58:22+01", base),
        ("2019-04-02T14:58:22", base),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_datetime(text), Some(expected), "{text}");
        assert_eq!(
            probe(&format!(r#"{{"at": "{text}"}}"#)).at,
            Some(expected),
            "{text}"
        );
    }
    assert_eq!(
        parse_datetime("2026-03-08"),
        Some(Utc.with_ymd_and_hms(2026, 3, 8, 0, 0, 0).unwrap())
    );
    assert!(serde_json::from_str::<Probe>(r#"{"at": "yesterday"}"#).is_err());
}

#[test]
fn decimals_beyond_ten_to_the_fifteen_are_a_decode_error() {
    for json in [
        r#"{"amount": "10000000000000000000000000"}"#,
        r#"{"amount": 1e25}"#,
        r#"{"amount": -1000000000000001}"#,
    ] {
        let error = serde_json::from_str::<Probe>(json).unwrap_err().to_string();
        assert!(error.contains("out of range"), "{json}: {error}");
    }
    assert_eq!(
        probe(r#"{"amount": "-1000000000000000"}"#).amount,
        Some(dec("-1000000000000000"))
    );
}

#[test]
fn dates_chrono_can_hold_but_no_marketplace_sends_are_a_decode_error() {
    // Year 262142 fits chrono's range (written with its sign), and adding an acceptance deadline
    // to it would overflow; the others are outside what any marketplace sends.
    for text in [
        "262142-01-01T00:00:00Z",
        "+262142-01-01T00:00:00+00:00",
        "262142-01-01T00:00:00",
        "262142-01-01",
        "10000-01-01T00:00:00Z",
        "1899-12-31T23:59:59Z",
        "-0001-01-01T00:00:00Z",
    ] {
        assert_eq!(parse_datetime(text), None, "{text}");
        let error = serde_json::from_str::<Probe>(&format!(r#"{{"at": "{text}"}}"#))
            .map(|p| format!("{:?}", p.at))
            .expect_err(text);
        let message = error.to_string();
        assert!(
            message.contains("date out of range") || message.contains("not an ISO-8601 date"),
            "{text}: {message}"
        );
    }
    assert!(
        serde_json::from_str::<Probe>(r#"{"at": "+262142-01-01T00:00:00+00:00"}"#)
            .unwrap_err()
            .to_string()
            .contains("date out of range")
    );
    assert!(parse_datetime("9999-12-31T23:59:59Z").is_some());
    assert!(parse_datetime("1900-01-01T00:00:00Z").is_some());
}

#[test]
fn csv_decimals_accept_a_decimal_comma() {
    assert_eq!(parse_decimal("108,56"), Some(dec("108.56")));
    assert_eq!(parse_decimal(" 50.00 "), Some(dec("50.00")));
    assert_eq!(parse_decimal(""), None);
    assert_eq!(parse_decimal("abc"), None);
}
