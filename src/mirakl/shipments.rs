//! Shipments: ST01 creates shipments (multi-shipment operators only; a 404 means the feature is
//! off). Partial success is normal: the 201 answer lists successes and errors side by side,
//! and both must be read.

use crate::mirakl::budget::CallBudget;
use crate::mirakl::client::resource_handler;
use crate::mirakl::error::MiraklError;
use crate::mirakl::model::{date_opt, int, nullable, text, text_opt, AdditionalField};
use crate::mirakl::request::{ApiCode, Method, Request};
use crate::mirakl::transport::Transport;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// At most this many shipments per ST01 call.
pub const MAX_SHIPMENTS_PER_CALL: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewShipment {
    #[serde(deserialize_with = "text")]
    pub order_id: String,
    pub shipment_lines: Vec<ShipmentLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<ShipmentTracking>,
    /// `true` ships at once; `false` leaves the shipment in preparation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_from: Option<ShippingFrom>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shipment_additional_information: Vec<AdditionalField>,
}

/// A shipped quantity of one order line, named by `order_line_id` or `offer_sku`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    #[serde(
        default,
        deserialize_with = "text_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub order_line_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "text_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub offer_sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_reference: Option<String>,
    #[serde(deserialize_with = "int")]
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShipmentTracking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_standard_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingFrom {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<Warehouse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warehouse {
    pub code: String,
}

/// ST01: create shipments (≤ 1000) → 201 with successes and errors.
pub fn create(shipments: &[NewShipment]) -> Request {
    Request::new(ApiCode::ST01, Method::Post, "/shipments").json(json!({ "shipments": shipments }))
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShipmentsResult {
    #[serde(default, deserialize_with = "nullable")]
    pub shipment_success: Vec<CreatedShipment>,
    #[serde(default, deserialize_with = "nullable")]
    pub shipment_errors: Vec<ShipmentError>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreatedShipment {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(deserialize_with = "text")]
    pub order_id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub shipped_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    pub shipment_lines: Vec<ShipmentLine>,
    #[serde(default)]
    pub tracking: Option<ShipmentTracking>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShipmentError {
    #[serde(default, deserialize_with = "text_opt")]
    pub order_id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

resource_handler!(
    /// Shipment calls bound to a client.
    Shipments,
    shipments
);

impl<'c, T: Transport, B: CallBudget> Shipments<'c, T, B> {
    /// ST01: create shipments; check both lists of the answer.
    pub fn create(&self, shipments: &[NewShipment]) -> Result<ShipmentsResult, MiraklError> {
        self.client.send_json(create(shipments))
    }
}
