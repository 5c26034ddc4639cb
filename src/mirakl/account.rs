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

/// What the connection test found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct ConnectionReport {
    /// The Mirakl platform version (V01): the URL and the key work.
    pub platform_version: String,
    pub shop_id: Option<i64>,
    pub shop_name: Option<String>,
    pub shop_state: Option<String>,
    pub currency_iso_code: Option<String>,
    /// When the shop details were read from Mirakl (A01 may be called once a day).
    pub account_read_at: Option<DateTime<Utc>>,
}

/// Tests the URL and key with V01, then reads the shop (A01) if its daily budget allows, else
/// reports `cached` (the last report read fresh). The flag says whether A01 was read now.
pub fn test_connection<T: Transport, B: CallBudget>(
    client: &crate::mirakl::Client<T, B>,
    cached: Option<ConnectionReport>,
    now: DateTime<Utc>,
) -> Result<(ConnectionReport, bool), MiraklError> {
    let version = client.account().version()?;
    let (mut report, fresh) = match client.account().get() {
        Ok(account) => (
            ConnectionReport {
                platform_version: version.version.clone(),
                shop_id: Some(account.shop_id),
                shop_name: account.shop_name,
                shop_state: account.shop_state.map(|state| state.to_string()),
                currency_iso_code: account.currency_iso_code,
                account_read_at: Some(now),
            },
            true,
        ),
        Err(error)
            if matches!(
                error.class(),
                crate::mirakl::ErrorClass::BudgetExhausted { .. }
            ) =>
        {
            let report = cached.unwrap_or(ConnectionReport {
                platform_version: String::new(),
                shop_id: None,
                shop_name: None,
                shop_state: None,
                currency_iso_code: None,
                account_read_at: None,
            });
            (report, false)
        }
        Err(error) => return Err(error),
    };
    report.platform_version = version.version;
    Ok((report, fresh))
}
