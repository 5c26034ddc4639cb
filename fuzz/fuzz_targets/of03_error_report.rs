//! The OF03 offer import error report reader (and the `;` CSV reader under it).
//!
//! Contract: garbage gives an error or rows, never a panic; every row's cells are named by a
//! header; an SKU read from a row is trimmed and not empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mirakl_connector::mirakl::offers::{parse_csv, parse_error_report};
use mirakl_connector::mirakl::request::ApiCode;

fuzz_target!(|data: &[u8]| {
    let table = parse_csv(ApiCode::OF03, data);
    let report = parse_error_report(data);
    assert_eq!(
        table.is_ok(),
        report.is_ok(),
        "the report and its table disagree"
    );
    let (Ok(table), Ok(rows)) = (table, report) else {
        return;
    };
    assert_eq!(table.rows.len(), rows.len());
    for row in &rows {
        assert!(row.cells.len() <= table.headers.len());
        for name in row.cells.keys() {
            assert!(
                table.headers.contains(name),
                "a cell without a header: {name:?}"
            );
        }
        if let Some(sku) = &row.sku {
            assert!(!sku.is_empty() && sku.trim() == sku);
        }
    }
});
