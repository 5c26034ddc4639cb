//! OF01/OF02/OF03/OF21/OF51: requests carry the documented fields; answers and CSVs parse.

mod mirakl_support;

use mirakl_connector::mirakl::model::{parse_decimal, ImportStatus};
use mirakl_connector::mirakl::offers::{
    self, ImportMode, OfferExportQuery, OfferImport, OfferImportOptions, OfferImportStatus,
    OfferLine, OfferPage, OfferQuery,
};
use mirakl_connector::mirakl::{ApiCode, Body, Method};
use mirakl_support::fixture;
use rust_decimal::Decimal;
use std::str::FromStr;

#[test]
fn of01_request_is_multipart_with_import_mode() {
    let line = OfferLine {
        sku: "SKU-1".to_owned(),
        product_id: Some("SKU-1".to_owned()),
        product_id_type: Some("SHOP_SKU".to_owned()),
        price: Some(Decimal::from_str("19.90").expect("decimal")),
        quantity: Some(4),
        state: Some("11".to_owned()),
        ..OfferLine::default()
    };
    let request = offers::import(&[line], &OfferImportOptions::default()).expect("request");
    assert_eq!(request.api, ApiCode::OF01);
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.path, "/offers/imports");
    let Body::Multipart { csv, fields, .. } = &request.body else {
        panic!("expected multipart");
    };
    assert!(fields.contains(&("import_mode".to_owned(), "NORMAL".to_owned())));
    assert!(fields.contains(&("with_products".to_owned(), "false".to_owned())));
    let table = offers::parse_csv(ApiCode::OF01, csv).expect("own CSV reads back");
    assert_eq!(table.rows[0]["sku"], "SKU-1");
    assert_eq!(table.rows[0]["price"], "19.90");
    assert_eq!(table.rows[0]["quantity"], "4");
    assert_eq!(table.rows[0]["product-id-type"], "SHOP_SKU");
}

#[test]
fn of01_documented_file_reads_by_header_with_decimal_commas() {
    let table = offers::parse_csv(
        ApiCode::OF01,
        fixture("OF01_offers_import_file_multichannel.csv").as_bytes(),
    )
    .expect("OF01 example reads");
    let row = &table.rows[0];
    assert_eq!(row["sku"], "OFFER_SKU_004");
    assert_eq!(
        parse_decimal(&row["discount-price"]),
        Decimal::from_str("108.56").ok()
    );
    assert_eq!(row["price[channel=FR]"], "105.56");
}

#[test]
fn of01_and_of02_answers_parse() {
    let created: OfferImport =
        serde_json::from_str(&fixture("OF01_offers_import_response.json")).expect("OF01");
    assert_eq!(created.import_id, "2035");
    assert_eq!(created.product_import_id.as_deref(), Some("2036"));

    let status: OfferImportStatus =
        serde_json::from_str(&fixture("OF02_offers_import_status_response.json")).expect("OF02");
    assert_eq!(status.import_id, "2035");
    assert_eq!(status.status, ImportStatus::Complete);
    assert!(status.status.is_final());
    assert_eq!(status.mode, Some(ImportMode::Normal));
    assert_eq!(status.lines_in_success, Some(1));
    assert_eq!(status.offer_inserted, Some(1));
    assert_eq!(status.has_error_report, Some(false));

    let request = offers::import_status("2035");
    assert_eq!(
        (request.api, request.path.as_str()),
        (ApiCode::OF02, "/offers/imports/2035")
    );
}

#[test]
fn of03_error_report_reads_sku_line_and_message() {
    let request = offers::error_report("2035");
    assert_eq!(request.path, "/offers/imports/2035/error_report");
    assert!(request.api.returns_csv());
    let rows =
        offers::parse_error_report(fixture("OF03_offers_import_error_report.csv").as_bytes())
            .expect("OF03 parses");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].sku.as_deref(), Some("OFFER_SKU_004"));
    assert_eq!(rows[0].error_line, Some(2));
    assert_eq!(rows[0].error_message, "The product does not exist");
}

#[test]
fn of21_both_documented_examples_parse() {
    for name in [
        "OF21_offers_list_single_channel.json",
        "OF21_offers_list_multi_channel.json",
    ] {
        let page: OfferPage =
            serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!page.offers.is_empty(), "{name}");
        let offer = &page.offers[0];
        assert_eq!(offer.offer_id, Some(2135), "{name}");
        assert_eq!(offer.shop_sku, "S2002", "{name}");
        assert_eq!(offer.quantity, Some(1_000_000), "{name}");
        assert_eq!(offer.price, Some(Decimal::from(49)), "{name}");
        assert_eq!(
            offer.inactivity_reasons,
            vec!["SHOP_NOT_OPEN", "ZERO_QUANTITY"],
            "{name}"
        );
        assert_eq!(offer.warehouses[0].code, "WAREHOUSE_001", "{name}");
    }
}

#[test]
fn of21_list_request() {
    let query = OfferQuery {
        sku: Some("S2002".to_owned()),
        page_size: Some(50),
        ..OfferQuery::default()
    };
    let request = offers::list(&query, 50);
    assert_eq!(
        (request.api, request.path.as_str()),
        (ApiCode::OF21, "/offers")
    );
    assert_eq!(request.query_value("sku"), Some("S2002"));
    assert_eq!(request.query_value("max"), Some("50"));
    assert_eq!(request.query_value("offset"), Some("50"));
}

#[test]
fn of51_export_parses_and_full_exports_spend_the_daily_budget() {
    let offers =
        offers::parse_export(fixture("OF51_offers_export.csv").as_bytes()).expect("OF51 parses");
    assert!(offers.len() >= 3);
    assert_eq!(offers[0].offer_id, Some(2130));
    assert_eq!(offers[0].product_sku.as_deref(), Some("MKP100000000037254"));
    assert_eq!(offers[0].quantity, Some(40));
    assert_eq!(offers[0].price, Decimal::from_str("50.00").ok());
    assert_eq!(offers[0].active, Some(true));
    assert_eq!(offers[0].deleted, Some(false));
    assert_eq!(offers[0].shop_sku.as_deref(), Some("sku-2130"));
    assert!(offers[0].last_updated.is_some());
    assert_eq!(offers[0].cells["currency-iso-code"], "USD");

    let full = offers::export(&OfferExportQuery::default());
    assert_eq!(
        (full.api, full.path.as_str()),
        (ApiCode::OF51, "/offers/export")
    );
    assert_eq!(full.budget_key, "OF51-full");
    let delta = offers::export(&OfferExportQuery {
        last_request_date: Some(chrono::Utc::now()),
        ..OfferExportQuery::default()
    });
    assert_eq!(delta.budget_key, "OF51");
    assert!(delta.query_value("last_request_date").is_some());
}
