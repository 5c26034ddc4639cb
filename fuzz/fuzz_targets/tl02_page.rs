//! TL02 transaction page decoding (each row on its own).
//!
//! Contract: decoding never panics; every amount of a decoded row is at most 10^15 in magnitude
//! and every date lies in the accepted years (so the ledger's arithmetic and date sums cannot
//! overflow); a page that cannot be read is an error that names its row.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use mirakl_connector::mirakl::client::decode_json;
use mirakl_connector::mirakl::finance::TransactionPage;
use mirakl_connector::mirakl::model::{DATE_YEARS, MAX_DECIMAL};
use mirakl_connector::mirakl::request::ApiCode;
use rust_decimal::Decimal;

fn check(page: &TransactionPage) {
    let bound = Decimal::from(MAX_DECIMAL);
    for row in &page.data {
        let amounts = [
            row.amount,
            row.amount_credited,
            row.amount_debited,
            row.balance,
        ];
        for amount in amounts.into_iter().flatten() {
            assert!(amount.abs() <= bound, "amount out of bounds: {amount}");
        }
        let dates = [
            row.date_created,
            row.last_updated,
            row.transaction_date,
            row.accounting_document_creation_date,
        ];
        for date in dates.into_iter().flatten() {
            assert!(
                DATE_YEARS.contains(&date.year()),
                "date out of range: {date}"
            );
        }
        let _ = row.order_id();
    }
}

fuzz_target!(|data: &[u8]| {
    match decode_json::<TransactionPage>(ApiCode::TL02, data) {
        Ok(page) => check(&page),
        Err(error) => {
            let _ = error.to_string();
        }
    }
    // The input as one row of an otherwise good page: the error, if any, names the row.
    let mut body = Vec::with_capacity(data.len() + 128);
    body.extend_from_slice(br#"{"data":[{"id":"FUZZ-1","amount":1.5},"#);
    body.extend_from_slice(data);
    body.extend_from_slice(br#"],"next_page_token":null}"#);
    match decode_json::<TransactionPage>(ApiCode::TL02, &body) {
        Ok(page) => {
            check(&page);
            assert_eq!(page.data.first().map(|row| row.id.as_str()), Some("FUZZ-1"));
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
