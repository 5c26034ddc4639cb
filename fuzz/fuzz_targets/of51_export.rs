//! The two OF51 export readers: the offer reconciliation's (`offers::parse_export`, every cell
//! by header name) and the stock reconciliation's (`(shop-sku, quantity)` of live offers).
//!
//! Contract: garbage gives an error or rows, never a panic; each row's cells are named by the
//! header; a decoded date lies in the accepted years; and where both readers read the same text
//! (UTF-8 without a BOM, distinct header names) every live offer the stock reader returns is an
//! offer of the full reader with the same SKU and quantity.
#![no_main]

use std::collections::BTreeSet;

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use mirakl_connector::fuzzing::export_quantities;
use mirakl_connector::mirakl::model::DATE_YEARS;
use mirakl_connector::mirakl::offers::{parse_csv, parse_export};
use mirakl_connector::mirakl::request::ApiCode;

fuzz_target!(|data: &[u8]| {
    let full = parse_export(data);
    if let Ok(offers) = &full {
        for offer in offers {
            if let Some(date) = offer.last_updated {
                assert!(
                    DATE_YEARS.contains(&date.year()),
                    "date out of range: {date}"
                );
            }
            if let Some(sku) = &offer.shop_sku {
                assert!(!sku.is_empty() && sku.trim() == sku);
            }
        }
    }
    let stock = export_quantities(data);
    let comparable = std::str::from_utf8(data).is_ok_and(|text| !text.starts_with('\u{feff}'))
        && parse_csv(ApiCode::OF51, data).is_ok_and(|table| {
            let names: BTreeSet<&str> = table.headers.iter().map(String::as_str).collect();
            names.len() == table.headers.len()
        });
    if !comparable {
        return;
    }
    let (Ok(offers), Ok(quantities)) = (full, stock) else {
        return;
    };
    for (sku, quantity) in &quantities {
        assert!(
            offers
                .iter()
                .any(|o| o.shop_sku.as_deref() == Some(sku) && o.quantity == Some(*quantity)),
            "the stock reader found {sku:?} = {quantity}, the offer reader did not"
        );
    }
});
