//! The ledger's vocabulary: TL02 rows as Mirakl sends them (read tolerantly, keeping ids the
//! client's typed model leaves out: billing cycle, fee code, one-off description), the
//! [`Category`] of each transaction type, and SBC11 billing cycles.
//!
//! Invariant: [`classify`] knows every transaction type of Mirakl's seller API; anything else is
//! [`Category::Unknown`], stored and reported, never dropped.

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::mirakl::client::SeekPage;
use crate::mirakl::model::{date_opt, decimal_opt, nullable, text, text_opt};

use super::money;

/// What a transaction is, for matching and for the report. Stored as its snake_case text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// ORDER_AMOUNT: the line's price without tax.
    Sale,
    /// ORDER_AMOUNT_TAX.
    SaleTax,
    /// ORDER_SHIPPING_AMOUNT.
    Shipping,
    /// ORDER_SHIPPING_AMOUNT_TAX.
    ShippingTax,
    /// COMMISSION_FEE (a debit).
    Commission,
    /// COMMISSION_VAT (a debit).
    CommissionVat,
    /// REFUND_ORDER_AMOUNT (a debit).
    Refund,
    RefundTax,
    RefundShipping,
    RefundShippingTax,
    /// REFUND_COMMISSION_FEE: commission given back on a refund (a credit).
    RefundCommission,
    RefundCommissionVat,
    /// Order fees, seller fees on orders, penalties.
    Fee,
    /// SUBSCRIPTION_FEE / _VAT (and SUBSCRIPTION_AMOUNT seen in some feeds).
    Subscription,
    /// MANUAL_CREDIT(_VAT), INVOICEABLE_ONE_OFF_CREDIT(_TAX).
    ManualCredit,
    /// MANUAL_INVOICE(_VAT), INVOICEABLE_ONE_OFF_DEBIT(_TAX).
    ManualInvoice,
    /// OPERATOR_REMITTED_*_TAX (marketplace-facilitator tax) and OPERATOR_PAID_*SHIPPING*.
    Operator,
    /// PURCHASE_* and REFUND_PURCHASE_* (dropship model).
    Purchase,
    /// RESERVE_FUNDING, RESERVE_SETTLEMENT.
    Reserve,
    /// PAYMENT: the payout to the seller's bank (a debit of the Mirakl balance).
    Payment,
    /// A type this version does not know: kept and reported.
    Unknown,
}

impl Category {
    pub const ALL: [Category; 21] = [
        Category::Sale,
        Category::SaleTax,
        Category::Shipping,
        Category::ShippingTax,
        Category::Commission,
        Category::CommissionVat,
        Category::Refund,
        Category::RefundTax,
        Category::RefundShipping,
        Category::RefundShippingTax,
        Category::RefundCommission,
        Category::RefundCommissionVat,
        Category::Fee,
        Category::Subscription,
        Category::ManualCredit,
        Category::ManualInvoice,
        Category::Operator,
        Category::Purchase,
        Category::Reserve,
        Category::Payment,
        Category::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Sale => "sale",
            Category::SaleTax => "sale_tax",
            Category::Shipping => "shipping",
            Category::ShippingTax => "shipping_tax",
            Category::Commission => "commission",
            Category::CommissionVat => "commission_vat",
            Category::Refund => "refund",
            Category::RefundTax => "refund_tax",
            Category::RefundShipping => "refund_shipping",
            Category::RefundShippingTax => "refund_shipping_tax",
            Category::RefundCommission => "refund_commission",
            Category::RefundCommissionVat => "refund_commission_vat",
            Category::Fee => "fee",
            Category::Subscription => "subscription",
            Category::ManualCredit => "manual_credit",
            Category::ManualInvoice => "manual_invoice",
            Category::Operator => "operator",
            Category::Purchase => "purchase",
            Category::Reserve => "reserve",
            Category::Payment => "payment",
            Category::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Category {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .unwrap_or(Category::Unknown)
    }

    /// Whether it is part of a customer refund (amount, shipping or their taxes).
    pub fn is_customer_refund(self) -> bool {
        matches!(
            self,
            Category::Refund
                | Category::RefundTax
                | Category::RefundShipping
                | Category::RefundShippingTax
        )
    }
}

/// The category of a TL02 `type`.
pub fn classify(transaction_type: &str) -> Category {
    match transaction_type {
        "ORDER_AMOUNT" => Category::Sale,
        "ORDER_AMOUNT_TAX" => Category::SaleTax,
        "ORDER_SHIPPING_AMOUNT" => Category::Shipping,
        "ORDER_SHIPPING_AMOUNT_TAX" => Category::ShippingTax,
        "COMMISSION_FEE" => Category::Commission,
        "COMMISSION_VAT" => Category::CommissionVat,
        "REFUND_ORDER_AMOUNT" => Category::Refund,
        "REFUND_ORDER_AMOUNT_TAX" => Category::RefundTax,
        "REFUND_ORDER_SHIPPING_AMOUNT" => Category::RefundShipping,
        "REFUND_ORDER_SHIPPING_AMOUNT_TAX" => Category::RefundShippingTax,
        "REFUND_COMMISSION_FEE" => Category::RefundCommission,
        "REFUND_COMMISSION_VAT" => Category::RefundCommissionVat,
        "SUBSCRIPTION_FEE" | "SUBSCRIPTION_VAT" | "SUBSCRIPTION_AMOUNT" => Category::Subscription,
        "MANUAL_CREDIT"
        | "MANUAL_CREDIT_VAT"
        | "INVOICEABLE_ONE_OFF_CREDIT"
        | "INVOICEABLE_ONE_OFF_CREDIT_TAX" => Category::ManualCredit,
        "MANUAL_INVOICE"
        | "MANUAL_INVOICE_VAT"
        | "INVOICEABLE_ONE_OFF_DEBIT"
        | "INVOICEABLE_ONE_OFF_DEBIT_TAX" => Category::ManualInvoice,
        "ORDER_FEE_AMOUNT"
        | "REFUND_ORDER_FEE_AMOUNT"
        | "SELLER_FEE_ON_ORDER"
        | "SELLER_FEE_ON_ORDER_TAX"
        | "SELLER_PENALTY_FEE"
        | "SELLER_PENALTY_FEE_TAX" => Category::Fee,
        "OPERATOR_REMITTED_ORDER_AMOUNT_TAX"
        | "OPERATOR_REMITTED_ORDER_SHIPPING_AMOUNT_TAX"
        | "OPERATOR_REMITTED_REFUND_ORDER_AMOUNT_TAX"
        | "OPERATOR_REMITTED_REFUND_ORDER_SHIPPING_AMOUNT_TAX"
        | "OPERATOR_REMITTED_ORDER_FEE_AMOUNT"
        | "OPERATOR_REMITTED_REFUND_ORDER_FEE_AMOUNT"
        | "OPERATOR_PAID_ORDER_SHIPPING_AMOUNT"
        | "OPERATOR_PAID_ORDER_SHIPPING_AMOUNT_TAX"
        | "OPERATOR_PAID_REFUND_ORDER_SHIPPING_AMOUNT"
        | "OPERATOR_PAID_REFUND_ORDER_SHIPPING_AMOUNT_TAX" => Category::Operator,
        "PURCHASE_COMMISSION_FEE"
        | "PURCHASE_SHIPPING_COMMISSION_FEE"
        | "PURCHASE_ORDER_AMOUNT_TAX"
        | "PURCHASE_ORDER_SHIPPING_AMOUNT_TAX"
        | "REFUND_PURCHASE_COMMISSION_FEE"
        | "REFUND_PURCHASE_SHIPPING_COMMISSION_FEE"
        | "REFUND_PURCHASE_ORDER_AMOUNT_TAX"
        | "REFUND_PURCHASE_ORDER_SHIPPING_AMOUNT_TAX"
        | "PURCHASE_FEE_COMMISSION_FEE"
        | "REFUND_PURCHASE_FEE_COMMISSION_FEE" => Category::Purchase,
        "RESERVE_FUNDING" | "RESERVE_SETTLEMENT" => Category::Reserve,
        "PAYMENT" => Category::Payment,
        _ => Category::Unknown,
    }
}

/// One TL02 page, read with the finance module's own row type.
#[derive(Debug, Clone, Deserialize)]
pub struct TransactionPage {
    #[serde(default, deserialize_with = "nullable")]
    pub data: Vec<RawTransaction>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl SeekPage for TransactionPage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

/// A TL02 row as Mirakl sends it; every field but `id` optional.
#[derive(Debug, Clone, Deserialize)]
pub struct RawTransaction {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(default, rename = "type", deserialize_with = "text_opt")]
    pub transaction_type: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_credited: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_debited: Option<Decimal>,
    #[serde(default, deserialize_with = "text_opt")]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub last_updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub transaction_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "text_opt")]
    pub payment_state: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub accounting_document_id: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub accounting_document_number: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub seller_billing_cycle_id: Option<String>,
    #[serde(default)]
    pub entities: Option<RawEntities>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawEntities {
    #[serde(default)]
    pub order: Option<RawOrderEntity>,
    #[serde(default)]
    pub order_line: Option<RawRef>,
    #[serde(default)]
    pub refund: Option<RawRef>,
    #[serde(default)]
    pub fee: Option<RawFee>,
    #[serde(default)]
    pub one_off_item: Option<RawOneOff>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawOrderEntity {
    #[serde(default, deserialize_with = "text_opt")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub commercial_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawRef {
    #[serde(default, deserialize_with = "text_opt")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawFee {
    #[serde(default, deserialize_with = "text_opt")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawOneOff {
    #[serde(default, deserialize_with = "text_opt")]
    pub description: Option<String>,
}

/// A transaction as the finance tables keep it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow {
    pub id: String,
    pub transaction_type: String,
    pub category: Category,
    /// Signed from the seller's view (see the module docs).
    pub amount: Decimal,
    pub currency: String,
    pub transaction_date: DateTime<Utc>,
    /// `YYYY-MM` of `transaction_date` (UTC).
    pub period: String,
    pub date_created: Option<DateTime<Utc>>,
    pub last_updated: Option<DateTime<Utc>>,
    pub payment_state: Option<String>,
    pub order_id: Option<String>,
    pub commercial_id: Option<String>,
    pub order_line_id: Option<String>,
    pub refund_id: Option<String>,
    pub accounting_document_id: Option<String>,
    pub accounting_document_number: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
    pub description: Option<String>,
}

/// `YYYY-MM` of a UTC time.
pub fn period_of(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

impl RawTransaction {
    /// Signed amount: credited − debited when either is given, else `amount`, else zero.
    pub fn signed_amount(&self) -> Decimal {
        match (self.amount_credited, self.amount_debited) {
            (None, None) => self.amount.unwrap_or_default(),
            (credited, debited) => {
                let credited = credited.unwrap_or_default().abs();
                let debited = debited.unwrap_or_default().abs();
                if credited.is_zero() && debited.is_zero() {
                    self.amount.unwrap_or_default()
                } else {
                    credited - debited
                }
            }
        }
    }

    /// The row as stored; `fallback_date` (the import time) only when Mirakl gave no date at all.
    pub fn to_row(&self, fallback_date: DateTime<Utc>) -> LedgerRow {
        let transaction_type = self
            .transaction_type
            .clone()
            .unwrap_or_else(|| "UNKNOWN".to_owned());
        let transaction_date = self
            .transaction_date
            .or(self.date_created)
            .or(self.last_updated)
            .unwrap_or(fallback_date);
        let entities = self.entities.clone().unwrap_or_default();
        let description = entities
            .one_off_item
            .and_then(|o| o.description)
            .or_else(|| entities.fee.and_then(|f| f.code));
        LedgerRow {
            id: self.id.clone(),
            category: classify(&transaction_type),
            transaction_type,
            amount: self.signed_amount(),
            currency: self
                .currency_iso_code
                .clone()
                .unwrap_or_else(|| "XXX".to_owned()),
            period: period_of(transaction_date),
            transaction_date,
            date_created: self.date_created,
            last_updated: self.last_updated,
            payment_state: self.payment_state.clone(),
            order_id: entities.order.as_ref().and_then(|o| o.id.clone()),
            commercial_id: entities.order.and_then(|o| o.commercial_id),
            order_line_id: entities.order_line.and_then(|l| l.id),
            refund_id: entities.refund.and_then(|r| r.id),
            accounting_document_id: self.accounting_document_id.clone(),
            accounting_document_number: self.accounting_document_number.clone(),
            seller_billing_cycle_id: self.seller_billing_cycle_id.clone(),
            description,
        }
    }
}

/// One SBC11 page (seek pagination, like TL02).
#[derive(Debug, Clone, Deserialize)]
pub struct BillingCyclePage {
    #[serde(default, deserialize_with = "nullable")]
    pub data: Vec<BillingCycle>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl SeekPage for BillingCyclePage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

/// SBC11: a seller billing cycle and its pay-out.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BillingCycle {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_transferred_to_seller: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_transferred_to_operator: Option<Decimal>,
    #[serde(default)]
    pub pay_out: Option<PayOut>,
    /// Kept verbatim (its totals, in Mirakl's own names).
    #[serde(default)]
    pub summary: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PayOut {
    #[serde(default, deserialize_with = "text_opt")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reference: Option<String>,
}

/// IV01 page read with the fields payout reconciliation needs (`id`, billing cycle, summary).
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentPage {
    #[serde(default, deserialize_with = "nullable")]
    pub invoices: Vec<RawDocument>,
    #[serde(default, deserialize_with = "crate::mirakl::model::int_opt")]
    pub total_count: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawDocument {
    #[serde(deserialize_with = "text")]
    pub invoice_id: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub id: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "text_opt")]
    pub document_type: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub issue_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_amount_incl_taxes: Option<Decimal>,
    #[serde(default, deserialize_with = "text_opt")]
    pub seller_billing_cycle_id: Option<String>,
    #[serde(default)]
    pub payment: Option<RawDocumentPayment>,
    #[serde(default)]
    pub summary: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawDocumentPayment {
    #[serde(default, deserialize_with = "text_opt")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reference: Option<String>,
}

impl RawDocument {
    /// `summary.amount_transferred`, read tolerantly.
    pub fn amount_transferred(&self) -> Option<Decimal> {
        let value = self.summary.as_ref()?.get("amount_transferred")?;
        match value {
            serde_json::Value::Number(n) => crate::mirakl::model::parse_decimal(&n.to_string()),
            serde_json::Value::String(s) => crate::mirakl::model::parse_decimal(s),
            _ => None,
        }
    }
}

/// Stored amount helper for optional decimals.
pub(crate) fn opt_e4(value: Option<Decimal>) -> Option<i64> {
    value.and_then(money::to_e4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_type_is_recognised() {
        let documented = "MANUAL_CREDIT MANUAL_CREDIT_VAT MANUAL_INVOICE MANUAL_INVOICE_VAT INVOICEABLE_ONE_OFF_DEBIT \
            INVOICEABLE_ONE_OFF_DEBIT_TAX INVOICEABLE_ONE_OFF_CREDIT INVOICEABLE_ONE_OFF_CREDIT_TAX ORDER_AMOUNT \
            ORDER_AMOUNT_TAX ORDER_SHIPPING_AMOUNT ORDER_SHIPPING_AMOUNT_TAX COMMISSION_FEE COMMISSION_VAT \
            REFUND_ORDER_AMOUNT REFUND_ORDER_AMOUNT_TAX REFUND_ORDER_SHIPPING_AMOUNT REFUND_ORDER_SHIPPING_AMOUNT_TAX \
            REFUND_COMMISSION_FEE REFUND_COMMISSION_VAT SUBSCRIPTION_FEE SUBSCRIPTION_VAT \
            OPERATOR_REMITTED_ORDER_AMOUNT_TAX OPERATOR_REMITTED_ORDER_SHIPPING_AMOUNT_TAX \
            OPERATOR_REMITTED_REFUND_ORDER_AMOUNT_TAX OPERATOR_REMITTED_REFUND_ORDER_SHIPPING_AMOUNT_TAX \
            OPERATOR_PAID_ORDER_SHIPPING_AMOUNT OPERATOR_PAID_ORDER_SHIPPING_AMOUNT_TAX \
            OPERATOR_PAID_REFUND_ORDER_SHIPPING_AMOUNT OPERATOR_PAID_REFUND_ORDER_SHIPPING_AMOUNT_TAX PAYMENT \
            PURCHASE_COMMISSION_FEE PURCHASE_SHIPPING_COMMISSION_FEE PURCHASE_ORDER_AMOUNT_TAX \
            PURCHASE_ORDER_SHIPPING_AMOUNT_TAX REFUND_PURCHASE_COMMISSION_FEE REFUND_PURCHASE_SHIPPING_COMMISSION_FEE \
            REFUND_PURCHASE_ORDER_AMOUNT_TAX REFUND_PURCHASE_ORDER_SHIPPING_AMOUNT_TAX ORDER_FEE_AMOUNT \
            OPERATOR_REMITTED_ORDER_FEE_AMOUNT REFUND_ORDER_FEE_AMOUNT OPERATOR_REMITTED_REFUND_ORDER_FEE_AMOUNT \
            PURCHASE_FEE_COMMISSION_FEE REFUND_PURCHASE_FEE_COMMISSION_FEE RESERVE_FUNDING RESERVE_SETTLEMENT \
            SELLER_FEE_ON_ORDER SELLER_FEE_ON_ORDER_TAX SELLER_PENALTY_FEE SELLER_PENALTY_FEE_TAX";
        for code in documented.split_whitespace() {
            assert_ne!(classify(code), Category::Unknown, "{code}");
        }
        assert_eq!(classify("SOMETHING_NEW"), Category::Unknown);
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), category);
        }
    }

    #[test]
    fn credited_and_debited_decide_the_sign() {
        let raw: RawTransaction = serde_json::from_str(
            r#"{"id":"T1","type":"SUBSCRIPTION_AMOUNT","amount":50.00,"amount_credited":0.00,"amount_debited":50.00}"#,
        )
        .unwrap();
        assert_eq!(raw.signed_amount(), Decimal::new(-5000, 2));
        let raw: RawTransaction =
            serde_json::from_str(r#"{"id":"T2","type":"ORDER_AMOUNT","amount":"12.5"}"#).unwrap();
        assert_eq!(raw.signed_amount(), Decimal::new(125, 1));
    }
}
