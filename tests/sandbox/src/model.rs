//! The sandbox's own marketplace records (never shared with the connector) and money helpers.
//!
//! Invariants: prices are stored tax included, and each amount's tax part is derived once by
//! `split_tax`, so `excluded + tax == included` holds in both tax modes; money is `Decimal`
//! rounded to cents, converted to a JSON number only when rendered.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Splits a tax-included amount into (tax excluded, tax) at `rate`.
pub fn split_tax(included: Decimal, rate: Decimal) -> (Decimal, Decimal) {
    let tax = round2(included * rate / (Decimal::ONE + rate));
    (included - tax, tax)
}

/// Renders money as a JSON number with at most two decimals.
pub fn money(value: Decimal) -> serde_json::Value {
    serde_json::Number::from_f64(round2(value).to_f64().unwrap_or(0.0))
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// Parses a money value as Mirakl accepts it: a JSON number or a numeric string, decimal point
/// or decimal comma.
pub fn parse_money_text(text: &str) -> Option<Decimal> {
    let cleaned = text.trim().replace(',', ".");
    if cleaned.is_empty() {
        return None;
    }
    cleaned
        .parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(&cleaned).ok())
        .filter(|v| money_in_range(*v))
}

/// Largest amount or quantity accepted anywhere, so that no arithmetic on it can overflow.
pub const MAX_MAGNITUDE: i64 = 1_000_000_000_000;

pub fn money_in_range(value: Decimal) -> bool {
    value.abs() <= Decimal::from(MAX_MAGNITUDE)
}

pub fn quantity_in_range(value: i64) -> bool {
    (0..=MAX_MAGNITUDE).contains(&value)
}

pub fn parse_money_value(value: &serde_json::Value) -> Option<Decimal> {
    match value {
        serde_json::Value::Number(n) => parse_money_text(&n.to_string()),
        serde_json::Value::String(s) => parse_money_text(s),
        _ => None,
    }
}

/// `TAX_INCLUDED` or `TAX_EXCLUDED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaxMode {
    #[serde(rename = "TAX_INCLUDED")]
    Included,
    #[serde(rename = "TAX_EXCLUDED")]
    Excluded,
}

impl TaxMode {
    pub fn parse(text: &str) -> Option<TaxMode> {
        match text {
            "TAX_INCLUDED" => Some(TaxMode::Included),
            "TAX_EXCLUDED" => Some(TaxMode::Excluded),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            TaxMode::Included => "TAX_INCLUDED",
            TaxMode::Excluded => "TAX_EXCLUDED",
        }
    }
    /// The amount shown in this mode for an (included, tax) pair.
    pub fn show(self, included: Decimal, tax: Decimal) -> Decimal {
        match self {
            TaxMode::Included => included,
            TaxMode::Excluded => included - tax,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Offer {
    pub offer_id: i64,
    pub shop_sku: String,
    pub product_sku: String,
    pub product_id: String,
    pub product_id_type: String,
    pub product_title: String,
    pub description: String,
    pub internal_description: String,
    pub category_code: String,
    /// Origin price, tax included.
    pub price: Decimal,
    pub discount_price: Option<Decimal>,
    pub quantity: i64,
    pub min_quantity_alert: i64,
    pub state_code: String,
    pub leadtime_to_ship: i64,
    pub active: bool,
    pub deleted: bool,
    pub date_created: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
}

impl Offer {
    /// The unit price a customer pays now.
    pub fn selling_price(&self) -> Decimal {
        self.discount_price
            .filter(|d| *d < self.price)
            .unwrap_or(self.price)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    pub customer_id: String,
    pub civility: String,
    pub firstname: String,
    pub lastname: String,
    pub locale: String,
    pub street_1: String,
    pub street_2: String,
    pub zip_code: String,
    pub city: String,
    /// The address's country label (OR11 `country`); operators often send only this.
    pub country: String,
    /// Alpha-3 as Mirakl documents it, but real operators send alpha-2 or `null` (`None`).
    pub country_iso_code: Option<String>,
    pub state: Option<String>,
    pub phone: String,
}

impl Default for Customer {
    fn default() -> Self {
        Customer {
            customer_id: "CUST-0001".into(),
            civility: "MS".into(),
            firstname: "Marie".into(),
            lastname: "Martin".into(),
            locale: "fr_FR".into(),
            street_1: "12 rue des Lilas".into(),
            street_2: String::new(),
            zip_code: "75011".into(),
            city: "Paris".into(),
            country: "France".into(),
            country_iso_code: Some("FRA".into()),
            state: None,
            phone: "+33100000000".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub order_refund_id: String,
    pub amount_included: Decimal,
    pub amount_tax: Decimal,
    pub shipping_included: Decimal,
    pub shipping_tax: Decimal,
    pub quantity: i64,
    pub reason_code: String,
    pub commission_fee: Decimal,
    pub commission_vat: Decimal,
    pub state: String,
    pub created_date: DateTime<Utc>,
}

/// Units taken off a line before they shipped (OR30, or the operator); amounts tax included.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cancelation {
    pub id: String,
    pub amount_included: Decimal,
    pub amount_tax: Decimal,
    pub shipping_included: Decimal,
    pub shipping_tax: Decimal,
    pub quantity: i64,
    pub reason_code: String,
    /// The commission given back with the cancelled amounts.
    pub commission_fee: Decimal,
    pub commission_vat: Decimal,
    pub created_date: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderLine {
    /// What a promotion took off the line (tax included); its price is after it.
    #[serde(default)]
    pub discount: Decimal,
    /// OR11 `order_line_additional_fields`.
    #[serde(default)]
    pub additional_fields: Vec<CustomField>,
    pub order_line_id: String,
    pub index: i64,
    pub offer_id: i64,
    pub offer_sku: String,
    pub product_sku: String,
    pub product_title: String,
    pub category_code: String,
    pub offer_state_code: String,
    pub quantity: i64,
    /// Unit price, tax included.
    pub unit_price: Decimal,
    /// Shipping for the whole line, tax included.
    pub shipping_price: Decimal,
    pub state: String,
    pub state_reason_code: Option<String>,
    pub refunds: Vec<Refund>,
    /// OR11 keeps the ordered quantity and price on the line and lists what came off here.
    #[serde(default)]
    pub cancelations: Vec<Cancelation>,
    pub created_date: DateTime<Utc>,
    pub debited_date: Option<DateTime<Utc>>,
    pub shipped_date: Option<DateTime<Utc>>,
    pub received_date: Option<DateTime<Utc>>,
    pub last_updated: DateTime<Utc>,
}

/// A line's amounts at a tax rate and commission rates; all tax included unless named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmounts {
    pub price_included: Decimal,
    pub price_tax: Decimal,
    pub shipping_included: Decimal,
    pub shipping_tax: Decimal,
    pub commission_fee: Decimal,
    pub commission_vat: Decimal,
}

impl LineAmounts {
    /// The taxes and commission of a tax-included price and shipping.
    pub fn of(
        price_included: Decimal,
        shipping_included: Decimal,
        tax_rate: Decimal,
        commission_rate: Decimal,
        commission_vat_rate: Decimal,
    ) -> LineAmounts {
        let (_, price_tax) = split_tax(price_included, tax_rate);
        let (_, shipping_tax) = split_tax(shipping_included, tax_rate);
        let commission_fee = round2((price_included + shipping_included) * commission_rate);
        let commission_vat = round2(commission_fee * commission_vat_rate);
        LineAmounts {
            price_included,
            price_tax,
            shipping_included,
            shipping_tax,
            commission_fee,
            commission_vat,
        }
    }
}

impl OrderLine {
    pub fn amounts(
        &self,
        tax_rate: Decimal,
        commission_rate: Decimal,
        commission_vat_rate: Decimal,
    ) -> LineAmounts {
        let price_included = (round2(self.unit_price * Decimal::from(self.quantity))
            - self.discount)
            .max(Decimal::ZERO);
        LineAmounts::of(
            price_included,
            self.shipping_price,
            tax_rate,
            commission_rate,
            commission_vat_rate,
        )
    }

    /// What the customer is debited for the line: its amounts less its cancelations.
    pub fn debited_amounts(
        &self,
        tax_rate: Decimal,
        commission_rate: Decimal,
        commission_vat_rate: Decimal,
    ) -> LineAmounts {
        let full = self.amounts(tax_rate, commission_rate, commission_vat_rate);
        LineAmounts::of(
            (full.price_included - self.cancelled_price()).max(Decimal::ZERO),
            (full.shipping_included - self.cancelled_shipping()).max(Decimal::ZERO),
            tax_rate,
            commission_rate,
            commission_vat_rate,
        )
    }

    pub fn cancelled_quantity(&self) -> i64 {
        self.cancelations.iter().map(|c| c.quantity).sum()
    }
    pub fn cancelled_price(&self) -> Decimal {
        self.cancelations.iter().map(|c| c.amount_included).sum()
    }
    pub fn cancelled_shipping(&self) -> Decimal {
        self.cancelations.iter().map(|c| c.shipping_included).sum()
    }

    pub fn refunded_price(&self) -> Decimal {
        self.refunds.iter().map(|r| r.amount_included).sum()
    }
    pub fn refunded_shipping(&self) -> Decimal {
        self.refunds.iter().map(|r| r.shipping_included).sum()
    }
    /// True for lines that count in the order's totals.
    pub fn is_live(&self) -> bool {
        !matches!(self.state.as_str(), "REFUSED" | "CANCELED")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tracking {
    pub carrier_code: Option<String>,
    pub carrier_name: Option<String>,
    pub carrier_standard_code: Option<String>,
    pub carrier_url: Option<String>,
    pub tracking_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub commercial_id: String,
    pub state: String,
    pub state_reason_code: Option<String>,
    pub state_reason_label: Option<String>,
    pub currency_iso_code: String,
    pub created_date: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
    pub staging_until: DateTime<Utc>,
    pub acceptance_deadline: DateTime<Utc>,
    pub acceptance_decision_date: Option<DateTime<Utc>>,
    pub customer_debited_date: Option<DateTime<Utc>>,
    pub shipping_deadline: Option<DateTime<Utc>>,
    pub shipped_date: Option<DateTime<Utc>>,
    pub received_date: Option<DateTime<Utc>>,
    pub customer: Customer,
    pub lines: Vec<OrderLine>,
    pub tracking: Option<Tracking>,
    pub payment_workflow: String,
    #[serde(default)]
    pub shipping: Shipping,
    /// OR11 `order_additional_fields`.
    #[serde(default)]
    pub additional_fields: Vec<CustomField>,
    #[serde(default)]
    pub has_customer_message: bool,
    /// The order's own tax mode (`TAX_INCLUDED`/`TAX_EXCLUDED`), whatever OR11 asks for: some
    /// operators fix it per order. `None`: amounts follow the request.
    #[serde(default)]
    pub tax_mode: Option<String>,
    /// The operator's fulfillment center shipping the order (OR11 `fulfillment.center.code`).
    #[serde(default)]
    pub fulfillment_center: Option<String>,
}

/// A custom field (OR11 `order_additional_fields`, `order_line_additional_fields`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    pub code: String,
    /// STRING, TEXTAREA, BOOLEAN, NUMERIC, DATE, LINK, LIST, MULTIPLE_VALUES_LIST...
    #[serde(rename = "type", default = "string_type")]
    pub field_type: String,
    pub value: serde_json::Value,
}

fn string_type() -> String {
    "STRING".into()
}

/// The order's shipping type and zone (OR11 `shipping_type_*`, `shipping_zone_*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Shipping {
    pub type_code: String,
    pub type_label: Option<String>,
    pub zone_code: String,
    pub zone_label: Option<String>,
}

impl Default for Shipping {
    fn default() -> Self {
        Shipping {
            type_code: "STD".into(),
            type_label: Some("Standard".into()),
            zone_code: "FR".into(),
            zone_label: Some("France".into()),
        }
    }
}

impl Order {
    pub fn can_cancel(&self) -> bool {
        matches!(
            self.state.as_str(),
            "WAITING_DEBIT" | "WAITING_DEBIT_PAYMENT" | "SHIPPING"
        ) && self.lines.iter().all(|l| l.refunds.is_empty())
    }
}

/// An STO01 or OF01 import and its outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub import_id: i64,
    /// `STOCK` (STO01) or `OFFER` (OF01).
    pub kind: String,
    pub mode: String,
    pub status: String,
    pub reason_status: Option<String>,
    pub date_created: DateTime<Utc>,
    pub file_name: String,
    pub lines_read: i64,
    pub lines_in_success: i64,
    pub lines_in_error: i64,
    pub offer_inserted: i64,
    pub offer_updated: i64,
    pub offer_deleted: i64,
    /// CSV error report (original columns plus error-line and error-message), if any line failed.
    pub error_report: Option<String>,
    /// The uploaded file, kept until processing.
    #[serde(skip)]
    pub pending_file: Option<Vec<u8>>,
}

/// A TL02 transaction log row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transaction {
    pub id: String,
    pub transaction_type: String,
    pub amount: Decimal,
    pub balance: Decimal,
    pub currency_iso_code: String,
    pub date_created: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
    pub payment_state: String,
    pub order_id: Option<String>,
    pub commercial_id: Option<String>,
    pub order_line_id: Option<String>,
    pub refund_id: Option<String>,
    pub accounting_document_id: Option<String>,
    pub accounting_document_number: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
}

/// An IV01 accounting document, one per payout (billing cycle).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invoice {
    pub invoice_id: i64,
    pub id: String,
    pub issue_date: DateTime<Utc>,
    pub start_date: DateTime<Utc>,
    pub end_date: DateTime<Utc>,
    pub currency_iso_code: String,
    pub commission_excl: Decimal,
    pub commission_tax: Decimal,
    pub amount_transferred: Decimal,
    pub payment_reference: String,
}

/// An ST01 shipment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shipment {
    pub id: String,
    pub order_id: String,
    pub status: String,
    pub lines: Vec<(String, String, i64)>,
    pub tracking: Option<Tracking>,
    pub created_date: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_tax_keeps_the_sum() {
        let (excl, tax) = split_tax(Decimal::new(980, 2), Decimal::new(20, 2));
        assert_eq!(tax, Decimal::new(163, 2));
        assert_eq!(excl + tax, Decimal::new(980, 2));
    }

    #[test]
    fn money_accepts_strings_and_commas() {
        assert_eq!(
            parse_money_value(&serde_json::json!("1")),
            Some(Decimal::ONE)
        );
        assert_eq!(parse_money_text("108,56"), Some(Decimal::new(10856, 2)));
        assert_eq!(
            parse_money_value(&serde_json::json!(1.5)),
            Some(Decimal::new(15, 1))
        );
        assert_eq!(parse_money_text("abc"), None);
    }
}
