//! STO01/STO02: the stock file is the documented `;` CSV sent as multipart; answers parse.

mod mirakl_support;

use mirakl_connector::mirakl::model::ImportStatus;
use mirakl_connector::mirakl::stock::{
    self, StockImport, StockImportStatus, StockLine, UpdateDelete,
};
use mirakl_connector::mirakl::{ApiCode, Body, Method};
use mirakl_support::fixture;

#[test]
fn sto01_csv_has_the_documented_header_and_quoted_rows() {
    let lines = vec![
        StockLine::new("SKU-1", 12),
        StockLine {
            offer_sku: "SKU;2 \"quoted\"".to_owned(),
            quantity: 0,
            warehouse_code: Some("WH-EAST".to_owned()),
            update_delete: Some(UpdateDelete::Update),
        },
    ];
    let csv = String::from_utf8(stock::write_csv(&lines).expect("csv")).expect("utf-8");
    assert_eq!(
        csv,
        "\"offer-sku\";\"quantity\";\"warehouse-code\";\"update-delete\"\n\
         \"SKU-1\";\"12\";\"\";\"\"\n\
         \"SKU;2 \"\"quoted\"\"\";\"0\";\"WH-EAST\";\"update\"\n"
    );
}

#[test]
fn sto01_request_is_a_multipart_post_with_the_file() {
    let request = stock::import(&[StockLine::new("SKU-1", 3)]).expect("request");
    assert_eq!(request.api, ApiCode::STO01);
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.path, "/offers/stock/imports");
    match &request.body {
        Body::Multipart {
            file_name,
            csv,
            fields,
        } => {
            assert!(file_name.ends_with(".csv"));
            assert!(csv.starts_with(b"\"offer-sku\";\"quantity\""));
            assert!(fields.is_empty());
        }
        other => panic!("expected multipart, got {other:?}"),
    }
}

#[test]
fn sto01_and_sto02_answers_parse() {
    let created: StockImport =
        serde_json::from_str(&fixture("STO01_stock_import_response.auto.json")).expect("STO01");
    assert_eq!(created.import_id, "string");
    let numeric: StockImport = serde_json::from_str(r#"{"import_id": 2035}"#).expect("numeric id");
    assert_eq!(numeric.import_id, "2035");

    let status: StockImportStatus =
        serde_json::from_str(&fixture("STO02_stock_import_status.auto.json")).expect("STO02");
    assert_eq!(status.status, ImportStatus::Waiting);
    assert!(!status.status.is_final());
    assert_eq!(status.has_error_report, Some(true));
    assert_eq!(status.lines_in_error, Some(0));
}

#[test]
fn sto02_request_names_the_import() {
    let request = stock::import_status("abc 1");
    assert_eq!(request.api, ApiCode::STO02);
    assert_eq!(request.method, Method::Get);
    assert_eq!(request.path, "/offers/stock/imports/abc%201/status");
    assert_eq!(request.budget_key, "STO02");
}
