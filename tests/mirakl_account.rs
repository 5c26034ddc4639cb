//! A01 account and V01 version: requests and documented answers.

mod mirakl_support;

use mirakl_connector::mirakl::account::{self, Account, ShopState, Version};
use mirakl_connector::mirakl::{ApiCode, Method};
use mirakl_support::fixture;

#[test]
fn a01_account_parses_with_nulls_as_absent() {
    let request = account::account();
    assert_eq!(
        (request.api, request.method, request.path.as_str()),
        (ApiCode::A01, Method::Get, "/account")
    );
    let account: Account =
        serde_json::from_str(&fixture("A01_account_response.json")).expect("A01");
    assert_eq!(account.shop_id, 2000);
    assert_eq!(account.shop_name.as_deref(), Some("ACME SHOP"));
    assert_eq!(account.shop_state, Some(ShopState::Open));
    assert_eq!(account.currency_iso_code.as_deref(), Some("USD"));
    assert_eq!(account.channels, ["US"]);
    assert_eq!(account.approval_delay, Some(33));
    assert_eq!(account.suspension_type, None);
    assert!(account.closed_from.is_some());
}

#[test]
fn v01_version_parses() {
    let request = account::version();
    assert_eq!(
        (request.api, request.path.as_str()),
        (ApiCode::V01, "/version")
    );
    let version: Version = serde_json::from_str(&fixture("V01_version.json")).expect("V01");
    assert_eq!(version.version, "3.210");
}
