//! Reference data fetched rarely and cached by the caller: SH21 carriers (the codes OR23 and
//! ST01 expect; SH21 is budgeted once a day) and RE01 reason codes (REFUND codes for OR28).

use crate::mirakl::budget::CallBudget;
use crate::mirakl::client::resource_handler;
use crate::mirakl::error::MiraklError;
use crate::mirakl::model::{bool_opt, int_opt, nullable, open_enum, text};
use crate::mirakl::request::{ApiCode, Request};
use crate::mirakl::transport::Transport;
use serde::Deserialize;

/// SH21: list the carriers registered on the platform.
pub fn carriers() -> Request {
    Request::get(ApiCode::SH21, "/shipping/carriers")
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CarrierList {
    #[serde(default, deserialize_with = "nullable")]
    pub carriers: Vec<Carrier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Carrier {
    #[serde(deserialize_with = "text")]
    pub code: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub standard_code: Option<String>,
    /// May contain `{trackingId}`, replaced by the tracking number.
    #[serde(default)]
    pub tracking_url: Option<String>,
}

open_enum! {
    /// RE01 reason `type`.
    ReasonType {
        Refund => "REFUND",
        Cancelation => "CANCELATION",
        IncidentOpen => "INCIDENT_OPEN",
        IncidentClose => "INCIDENT_CLOSE",
        OrderMessaging => "ORDER_MESSAGING",
        OfferMessaging => "OFFER_MESSAGING",
    }
}

/// RE01: list reason codes, optionally of one type.
pub fn reasons(reason_type: Option<&ReasonType>) -> Request {
    Request::get(ApiCode::RE01, "/reasons").query_opt("type", reason_type)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReasonList {
    #[serde(default, deserialize_with = "nullable")]
    pub reasons: Vec<Reason>,
    #[serde(default, deserialize_with = "int_opt")]
    pub total_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Reason {
    #[serde(deserialize_with = "text")]
    pub code: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub reason_type: ReasonType,
    #[serde(default, deserialize_with = "bool_opt")]
    pub is_shop_right: Option<bool>,
}

impl ReasonList {
    /// The reasons of one type (e.g. REFUND for OR28).
    pub fn of_type<'a>(&'a self, wanted: &'a ReasonType) -> impl Iterator<Item = &'a Reason> + 'a {
        self.reasons
            .iter()
            .filter(move |r| &r.reason_type == wanted)
    }
}

resource_handler!(
    /// Reference calls bound to a client.
    Reference,
    reference
);

impl<'c, T: Transport, B: CallBudget> Reference<'c, T, B> {
    /// SH21: carriers.
    pub fn carriers(&self) -> Result<Vec<Carrier>, MiraklError> {
        self.client
            .send_json::<CarrierList>(carriers())
            .map(|list| list.carriers)
    }

    /// RE01: reason codes.
    pub fn reasons(&self, reason_type: Option<&ReasonType>) -> Result<ReasonList, MiraklError> {
        self.client.send_json(reasons(reason_type))
    }
}
