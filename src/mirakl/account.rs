//! Account and health: A01 (the shop's account; also proves the key works; budgeted once a day)
//! and V01 (the platform version; a cheap health check with no documented ceiling).

use crate::mirakl::budget::CallBudget;
use crate::mirakl::client::resource_handler;
use crate::mirakl::error::MiraklError;
use crate::mirakl::model::{
    bool_opt, date_opt, decimal_opt, int, int_opt, nullable, open_enum, text,
};
use crate::mirakl::request::{ApiCode, Request};
use crate::mirakl::transport::Transport;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

open_enum! {
    /// A01 `shop_state`.
    ShopState { Open => "OPEN", Closed => "CLOSE", Suspended => "SUSPENDED", Terminated => "TERMINATED" }
}

/// A01: the shop's account.
pub fn account() -> Request {
    Request::get(ApiCode::A01, "/account")
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Account {
    #[serde(deserialize_with = "int")]
    pub shop_id: i64,
    #[serde(default)]
    pub shop_name: Option<String>,
    #[serde(default)]
    pub shop_state: Option<ShopState>,
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub channels: Vec<String>,
    /// MARKETPLACE, DROPSHIP or ONE_CREDITOR.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub is_professional: Option<bool>,
    /// The shop's average acceptance delay, in seconds.
    #[serde(default, deserialize_with = "int_opt")]
    pub approval_delay: Option<i64>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub approval_rate: Option<Decimal>,
    #[serde(default, deserialize_with = "date_opt")]
    pub closed_from: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub closed_to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub suspension_type: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub last_updated_date: Option<DateTime<Utc>>,
}

/// V01: the platform version.
pub fn version() -> Request {
    Request::get(ApiCode::V01, "/version")
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Version {
    #[serde(deserialize_with = "text")]
    pub version: String,
}

resource_handler!(
    /// Account calls bound to a client.
    AccountApi,
    account
);

impl<'c, T: Transport, B: CallBudget> AccountApi<'c, T, B> {
    /// A01: the shop's account.
    pub fn get(&self) -> Result<Account, MiraklError> {
        self.client.send_json(account())
    }

    /// V01: the platform version (health check).
    pub fn version(&self) -> Result<Version, MiraklError> {
        self.client.send_json(version())
    }
}
