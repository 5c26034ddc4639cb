//! Orders: OR11 (list, offset-paginated), OR21 (accept/refuse lines), OR23 (tracking), OR24
//! (ship), OR28 (refund), OR29 (cancel). Builders are pure; `Client::orders()` runs them.
//! Writes answer 204 (OR28: 200 with the created refunds) and are never re-sent blindly.

use crate::mirakl::budget::CallBudget;
use crate::mirakl::client::{resource_handler, OffsetPages};
use crate::mirakl::error::MiraklError;
use crate::mirakl::model::{
    bool_opt, date_opt, decimal_number, decimal_number_opt, decimal_opt, int_opt, nullable,
    offset_query, open_enum, page_size, text, text_opt, AdditionalField, CodedAmount, SortOrder,
    Tax, TaxMode,
};
use crate::mirakl::request::{format_date, segment, ApiCode, Method, Request};
use crate::mirakl::transport::Transport;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

open_enum! {
    /// OR11 `order_state`.
    OrderState {
        Staging => "STAGING",
        WaitingAcceptance => "WAITING_ACCEPTANCE",
        WaitingDebit => "WAITING_DEBIT",
        WaitingDebitPayment => "WAITING_DEBIT_PAYMENT",
        Shipping => "SHIPPING",
        Shipped => "SHIPPED",
        ToCollect => "TO_COLLECT",
        Received => "RECEIVED",
        Closed => "CLOSED",
        Refused => "REFUSED",
        Canceled => "CANCELED",
    }
}

open_enum! {
    /// OR11 `order_line_state`: the order states plus incidents and refunds.
    OrderLineState {
        Staging => "STAGING",
        WaitingAcceptance => "WAITING_ACCEPTANCE",
        WaitingDebit => "WAITING_DEBIT",
        WaitingDebitPayment => "WAITING_DEBIT_PAYMENT",
        Shipping => "SHIPPING",
        Shipped => "SHIPPED",
        ToCollect => "TO_COLLECT",
        Received => "RECEIVED",
        Closed => "CLOSED",
        Refused => "REFUSED",
        Canceled => "CANCELED",
        IncidentOpen => "INCIDENT_OPEN",
        IncidentClosed => "INCIDENT_CLOSED",
        Refunded => "REFUNDED",
    }
}

open_enum! {
    /// State of a refund on an order line.
    RefundState {
        WaitingRefund => "WAITING_REFUND",
        WaitingRefundPayment => "WAITING_REFUND_PAYMENT",
        Refunded => "REFUNDED",
    }
}

open_enum! {
    /// OR11 `payment_workflow`.
    PaymentWorkflow {
        PayOnAcceptance => "PAY_ON_ACCEPTANCE",
        PayOnDelivery => "PAY_ON_DELIVERY",
        PayOnDueDate => "PAY_ON_DUE_DATE",
        PayOnShipment => "PAY_ON_SHIPMENT",
        NoCustomerPaymentConfirmation => "NO_CUSTOMER_PAYMENT_CONFIRMATION",
    }
}

// ---------------------------------------------------------------------------------------------
// OR11 response

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderPage {
    #[serde(default, deserialize_with = "nullable")]
    pub orders: Vec<Order>,
    #[serde(default, deserialize_with = "int_opt")]
    pub total_count: Option<i64>,
    /// Orders of the page the transport did not keep, named
    /// ([`crate::mirakl::order_page`]): they count among the page's items.
    #[serde(default, deserialize_with = "nullable")]
    pub unreadable_orders: Vec<crate::mirakl::order_page::UnreadableOrder>,
}

impl crate::mirakl::model::OffsetPage for OrderPage {
    fn item_count(&self) -> usize {
        self.orders.len() + self.unreadable_orders.len()
    }
    fn total_count(&self) -> Option<i64> {
        self.total_count
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    #[serde(deserialize_with = "text")]
    pub order_id: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub commercial_id: Option<String>,
    pub order_state: OrderState,
    #[serde(default, deserialize_with = "text_opt")]
    pub order_state_reason_code: Option<String>,
    #[serde(default)]
    pub order_state_reason_label: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub last_updated_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub acceptance_decision_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub shipping_deadline: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub customer_debited_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub payment_workflow: Option<PaymentWorkflow>,
    #[serde(default)]
    pub payment_type: Option<String>,
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_commission: Option<Decimal>,
    #[serde(default)]
    pub order_tax_mode: Option<TaxMode>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub can_cancel: Option<bool>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub can_shop_ship: Option<bool>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub has_incident: Option<bool>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub fully_refunded: Option<bool>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub shipping_type_code: Option<String>,
    #[serde(default)]
    pub shipping_type_label: Option<String>,
    #[serde(default)]
    pub shipping_zone_code: Option<String>,
    #[serde(default)]
    pub shipping_zone_label: Option<String>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub has_customer_message: Option<bool>,
    #[serde(default)]
    pub promotions: Option<OrderPromotions>,
    #[serde(default)]
    pub shipping_carrier_code: Option<String>,
    #[serde(default)]
    pub shipping_company: Option<String>,
    #[serde(default)]
    pub shipping_tracking: Option<String>,
    #[serde(default)]
    pub shipping_tracking_url: Option<String>,
    #[serde(default)]
    pub references: Option<OrderReferences>,
    #[serde(default)]
    pub customer: Option<Customer>,
    #[serde(default)]
    pub customer_notification_email: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub order_lines: Vec<OrderLine>,
    #[serde(default, deserialize_with = "nullable")]
    pub order_additional_fields: Vec<AdditionalField>,
    /// The fulfillment center the order ships from: the shop's (`DEFAULT`) or an operator's.
    #[serde(default)]
    pub fulfillment: Option<Fulfillment>,
}

impl Order {
    /// The fulfillment center of the order (`DEFAULT` for the shop's own, usually).
    pub fn fulfillment_center(&self) -> Option<&str> {
        self.fulfillment
            .as_ref()
            .and_then(|f| f.center.as_ref())
            .and_then(|c| c.code.as_deref())
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }
}

/// OR11 `fulfillment`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Fulfillment {
    #[serde(default)]
    pub center: Option<FulfillmentCenter>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FulfillmentCenter {
    #[serde(default, deserialize_with = "text_opt")]
    pub code: Option<String>,
}

/// OR11 `promotions`: what the marketplace's promotions took off the order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderPromotions {
    #[serde(default, deserialize_with = "nullable")]
    pub applied_promotions: Vec<Promotion>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_deduced_amount: Option<Decimal>,
}

/// One promotion applied to an order or a line; `deduced_amount` is what it took off the line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Promotion {
    #[serde(default, deserialize_with = "text_opt")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub deduced_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "text_opt")]
    pub promo_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Channel {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderReferences {
    #[serde(default)]
    pub order_reference_for_customer: Option<String>,
    #[serde(default)]
    pub order_reference_for_seller: Option<String>,
}

/// The buyer. Contacts may be absent before shipping (or acceptance, per operator setting).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Customer {
    #[serde(default, deserialize_with = "text_opt")]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub civility: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    pub shipping_address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub civility: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub company_2: Option<String>,
    #[serde(default)]
    pub street_1: Option<String>,
    #[serde(default)]
    pub street_2: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub zip_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub country_iso_code: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub phone_secondary: Option<String>,
    #[serde(default)]
    pub additional_info: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderLine {
    #[serde(deserialize_with = "text")]
    pub order_line_id: String,
    #[serde(default, deserialize_with = "int_opt")]
    pub order_line_index: Option<i64>,
    pub order_line_state: OrderLineState,
    #[serde(default, deserialize_with = "text_opt")]
    pub order_line_state_reason_code: Option<String>,
    #[serde(default, deserialize_with = "int_opt")]
    pub offer_id: Option<i64>,
    /// The shop's SKU: the join key back to the WooCommerce product.
    #[serde(default, deserialize_with = "text_opt")]
    pub offer_sku: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub offer_state_code: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub product_sku: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub product_shop_sku: Option<String>,
    #[serde(default)]
    pub product_title: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub category_code: Option<String>,
    #[serde(default, deserialize_with = "int_opt")]
    pub quantity: Option<i64>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub price_unit: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub origin_unit_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub commission_fee: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub commission_vat: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_commission: Option<Decimal>,
    #[serde(default, deserialize_with = "nullable")]
    pub taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub shipping_taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub commission_taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub fees: Vec<Fee>,
    #[serde(default, deserialize_with = "nullable")]
    pub refunds: Vec<Refund>,
    #[serde(default, deserialize_with = "nullable")]
    pub cancelations: Vec<Cancelation>,
    #[serde(default, deserialize_with = "nullable")]
    pub promotions: Vec<Promotion>,
    #[serde(default, deserialize_with = "nullable")]
    pub order_line_additional_fields: Vec<AdditionalField>,
    #[serde(default, deserialize_with = "bool_opt")]
    pub can_refund: Option<bool>,
    #[serde(default, deserialize_with = "date_opt")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub debited_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub shipped_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub received_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub last_updated_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Fee {
    #[serde(default, deserialize_with = "text_opt")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
}

/// A refund already made on an order line (OR11 `refunds[]`); `id` is the idempotency anchor.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Refund {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "int_opt")]
    pub quantity: Option<i64>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reason_code: Option<String>,
    /// Mirakl names it `state` in OR11 and `refund_state` in some payloads.
    #[serde(default)]
    pub state: Option<RefundState>,
    #[serde(default)]
    pub refund_state: Option<RefundState>,
    #[serde(default, deserialize_with = "date_opt")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub commission_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub commission_total_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "text_opt")]
    pub order_refund_id: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub transaction_number: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub shipping_taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub fees: Vec<Fee>,
}

impl Refund {
    /// The refund's state under either name.
    pub fn current_state(&self) -> Option<&RefundState> {
        self.state.as_ref().or(self.refund_state.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cancelation {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "int_opt")]
    pub quantity: Option<i64>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reason_code: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    pub taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub shipping_taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub fees: Vec<Fee>,
    /// The commission Mirakl gives back with the cancelation, and its taxes.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub commission_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "nullable")]
    pub commission_taxes: Vec<Tax>,
}

// ---------------------------------------------------------------------------------------------
// OR11 request

/// OR11 filters. Dates are sent as UTC ISO-8601; lists comma-separated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderQuery {
    pub order_ids: Vec<String>,
    pub order_state_codes: Vec<OrderState>,
    pub channel_codes: Vec<String>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub start_update_date: Option<DateTime<Utc>>,
    pub end_update_date: Option<DateTime<Utc>>,
    pub customer_debited: Option<bool>,
    pub has_incident: Option<bool>,
    pub payment_workflow: Option<PaymentWorkflow>,
    pub order_tax_mode: Option<TaxMode>,
    /// Sort criterion (`dateCreated` by default on Mirakl's side).
    pub sort: Option<String>,
    pub order: Option<SortOrder>,
    /// Page size, at most 100 (the default here).
    pub page_size: Option<u32>,
}

impl OrderQuery {
    pub fn page_size(&self) -> u32 {
        page_size(self.page_size)
    }
}

/// OR11: list orders, one page at `offset`. Every page is one call against OR11's budget.
pub fn list(query: &OrderQuery, offset: u64) -> Request {
    let request = Request::get(ApiCode::OR11, "/orders")
        .query_list("order_ids", &query.order_ids)
        .query_list("order_state_codes", &query.order_state_codes)
        .query_list("channel_codes", &query.channel_codes)
        .query_opt("start_date", query.start_date.as_ref().map(format_date))
        .query_opt("end_date", query.end_date.as_ref().map(format_date))
        .query_opt(
            "start_update_date",
            query.start_update_date.as_ref().map(format_date),
        )
        .query_opt(
            "end_update_date",
            query.end_update_date.as_ref().map(format_date),
        )
        .query_opt("customer_debited", query.customer_debited)
        .query_opt("has_incident", query.has_incident)
        .query_opt("payment_workflow", query.payment_workflow.as_ref())
        .query_opt("order_tax_mode", query.order_tax_mode.as_ref())
        .query("paginate", "true");
    offset_query(
        request,
        query.page_size(),
        offset,
        query.sort.as_deref(),
        query.order,
        // Mirakl limits calls, not lists: every page is an OR11 call.
        ApiCode::OR11.as_str(),
    )
}

// ---------------------------------------------------------------------------------------------
// Writes

/// One line's acceptance decision (OR21). Every line of the order must be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDecision {
    pub accepted: bool,
    pub id: String,
}

impl LineDecision {
    pub fn accept(order_line_id: impl Into<String>) -> LineDecision {
        LineDecision {
            accepted: true,
            id: order_line_id.into(),
        }
    }
    pub fn refuse(order_line_id: impl Into<String>) -> LineDecision {
        LineDecision {
            accepted: false,
            id: order_line_id.into(),
        }
    }
}

/// OR21: accept or refuse order lines → 204.
pub fn accept_lines(order_id: &str, decisions: &[LineDecision]) -> Request {
    Request::new(
        ApiCode::OR21,
        Method::Put,
        format!("/orders/{}/accept", segment(order_id)),
    )
    .json(json!({ "order_lines": decisions }))
}

/// OR23 body: a registered carrier (`carrier_code`, from SH21) or a free one (`carrier_name`
/// + `carrier_url`), and the tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tracking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_standard_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
}

/// OR23: set the carrier and tracking number → 204.
pub fn set_tracking(order_id: &str, tracking: &Tracking) -> Request {
    Request::new(
        ApiCode::OR23,
        Method::Put,
        format!("/orders/{}/tracking", segment(order_id)),
    )
    .json(serde_json::to_value(tracking).unwrap_or_default())
}

/// OR24: mark the order shipped (SHIPPING → SHIPPED); no body → 204.
pub fn ship(order_id: &str) -> Request {
    Request::new(
        ApiCode::OR24,
        Method::Put,
        format!("/orders/{}/ship", segment(order_id)),
    )
}

/// OR29: cancel a whole accepted, unshipped order; no body → 204.
pub fn cancel(order_id: &str) -> Request {
    Request::new(
        ApiCode::OR29,
        Method::Put,
        format!("/orders/{}/cancel", segment(order_id)),
    )
}

/// OR28 body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_tax_mode: Option<TaxMode>,
    pub refunds: Vec<RefundLine>,
}

/// One refunded order line (OR28). `amount` is the line amount without shipping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundLine {
    #[serde(deserialize_with = "text")]
    pub order_line_id: String,
    #[serde(
        deserialize_with = "crate::mirakl::model::decimal",
        serialize_with = "decimal_number"
    )]
    pub amount: Decimal,
    #[serde(
        default,
        deserialize_with = "decimal_opt",
        serialize_with = "decimal_number_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_amount: Option<Decimal>,
    /// Informative only for Mirakl.
    #[serde(
        default,
        deserialize_with = "int_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<i64>,
    /// A REFUND reason code from RE01.
    #[serde(
        default,
        deserialize_with = "text_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub reason_code: Option<String>,
    /// Only when the shop's currency differs from the platform's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_iso_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub taxes: Vec<CodedAmount>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shipping_taxes: Vec<CodedAmount>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fees: Vec<CodedAmount>,
    #[serde(
        default,
        deserialize_with = "bool_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub excluded_from_shipment: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_legal_notice: Option<String>,
}

impl RefundLine {
    pub fn new(order_line_id: impl Into<String>, amount: Decimal) -> RefundLine {
        RefundLine {
            order_line_id: order_line_id.into(),
            amount,
            shipping_amount: None,
            quantity: None,
            reason_code: None,
            currency_iso_code: None,
            taxes: Vec::new(),
            shipping_taxes: Vec::new(),
            fees: Vec::new(),
            excluded_from_shipment: None,
            tax_legal_notice: None,
        }
    }
}

/// OR28: refund order lines → 200 with the created refunds.
pub fn refund(request: &RefundRequest) -> Request {
    Request::new(ApiCode::OR28, Method::Put, "/orders/refund")
        .json(serde_json::to_value(request).unwrap_or_default())
}

/// OR28 answer: one entry per refunded line with Mirakl's `refund_id`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RefundResponse {
    #[serde(default)]
    pub order_tax_mode: Option<TaxMode>,
    #[serde(default, deserialize_with = "nullable")]
    pub refunds: Vec<CreatedRefund>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreatedRefund {
    #[serde(deserialize_with = "text")]
    pub refund_id: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub order_refund_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub order_line_id: String,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "int_opt")]
    pub quantity: Option<i64>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reason_code: Option<String>,
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub shipping_taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "nullable")]
    pub fees: Vec<Fee>,
}

// ---------------------------------------------------------------------------------------------
// Client handler

resource_handler!(
    /// Order calls bound to a client: `client.orders().accept_lines(...)`.
    Orders,
    orders
);

impl<'c, T: Transport, B: CallBudget> Orders<'c, T, B> {
    /// OR11: the pages of orders matching `query`.
    pub fn list(&self, query: OrderQuery) -> OffsetPages<'c, T, B, OrderPage> {
        let page_size = query.page_size();
        self.client
            .offset_pages(page_size, move |offset| list(&query, offset))
    }

    /// OR21: accept or refuse lines.
    pub fn accept_lines(
        &self,
        order_id: &str,
        decisions: &[LineDecision],
    ) -> Result<(), MiraklError> {
        self.client
            .send_no_content(accept_lines(order_id, decisions))
    }

    /// OR23: set carrier and tracking.
    pub fn set_tracking(&self, order_id: &str, tracking: &Tracking) -> Result<(), MiraklError> {
        self.client
            .send_no_content(set_tracking(order_id, tracking))
    }

    /// OR24: mark shipped.
    pub fn ship(&self, order_id: &str) -> Result<(), MiraklError> {
        self.client.send_no_content(ship(order_id))
    }

    /// OR28: refund lines.
    pub fn refund(&self, request: &RefundRequest) -> Result<RefundResponse, MiraklError> {
        self.client.send_json(refund(request))
    }

    /// OR29: cancel the whole order.
    pub fn cancel(&self, order_id: &str) -> Result<(), MiraklError> {
        self.client.send_no_content(cancel(order_id))
    }
}
