//! SH21 carriers and RE01 reasons: requests and documented answers.

mod mirakl_support;

use mirakl_connector::mirakl::reference::{self, CarrierList, ReasonList, ReasonType};
use mirakl_connector::mirakl::{ApiCode, Method};
use mirakl_support::fixture;

#[test]
fn sh21_carriers_parse() {
    let request = reference::carriers();
    assert_eq!(
        (request.api, request.method, request.path.as_str()),
        (ApiCode::SH21, Method::Get, "/shipping/carriers")
    );
    let list: CarrierList =
        serde_json::from_str(&fixture("SH21_carriers_response.json")).expect("SH21");
    let codes: Vec<&str> = list.carriers.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["FED", "UPS", "DHL", "DPD", "TNT"]);
    assert!(list.carriers[1]
        .tracking_url
        .as_deref()
        .is_some_and(|url| url.contains("{trackingId}")));
}

#[test]
fn re01_reasons_parse_without_total_count_and_keep_unknown_types() {
    let request = reference::reasons(Some(&ReasonType::Refund));
    assert_eq!(
        (request.api, request.path.as_str()),
        (ApiCode::RE01, "/reasons")
    );
    assert_eq!(request.query_value("type"), Some("REFUND"));
    let list: ReasonList =
        serde_json::from_str(&fixture("RE01_reasons_response.json")).expect("RE01");
    assert_eq!(list.total_count, None);
    let refund: Vec<&str> = list
        .of_type(&ReasonType::Refund)
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(refund, ["15"]);
    assert!(list
        .reasons
        .iter()
        .any(|r| r.reason_type == ReasonType::Other("MMP_SELLER_MESSAGING".to_owned())));
    assert_eq!(list.reasons[2].is_shop_right, Some(true));
}
