//! The ledger's vocabulary: the [`Category`] of each transaction type and the [`LedgerRow`] a
//! TL02 transaction (the client's model, `crate::mirakl::finance`) is stored as.
//!
//! Invariant: [`classify`] knows every transaction type of Mirakl's seller API; anything else is
//! [`Category::Unknown`], stored and reported, never dropped.

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::mirakl::finance::Transaction;

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

impl LedgerRow {
    /// The row as stored from the client's TL02 model; `fallback_date` (the import time) only
    /// when Mirakl gave no date at all.
    pub fn from_transaction(transaction: &Transaction, fallback_date: DateTime<Utc>) -> LedgerRow {
        let transaction_type = transaction.transaction_type.as_str().to_owned();
        let transaction_date = transaction
            .transaction_date
            .or(transaction.date_created)
            .or(transaction.last_updated)
            .unwrap_or(fallback_date);
        let entities = transaction.entities.clone().unwrap_or_default();
        let description = entities
            .one_off_item
            .and_then(|o| o.description)
            .or_else(|| entities.fee.and_then(|f| f.code));
        LedgerRow {
            id: transaction.id.clone(),
            category: classify(&transaction_type),
            transaction_type,
            amount: signed_amount(transaction),
            currency: transaction
                .currency_iso_code
                .clone()
                .unwrap_or_else(|| "XXX".to_owned()),
            period: period_of(transaction_date),
            transaction_date,
            date_created: transaction.date_created,
            last_updated: transaction.last_updated,
            payment_state: transaction
                .payment_state
                .as_ref()
                .map(|p| p.as_str().to_owned()),
            order_id: entities.order.as_ref().map(|o| o.id.clone()),
            commercial_id: entities.order.and_then(|o| o.commercial_id),
            order_line_id: entities.order_line.map(|l| l.id),
            refund_id: entities.refund.map(|r| r.id),
            accounting_document_id: transaction.accounting_document_id.clone(),
            accounting_document_number: transaction.accounting_document_number.clone(),
            seller_billing_cycle_id: transaction.seller_billing_cycle_id.clone(),
            description,
        }
    }
}

/// Signed amount of a TL02 row: credited − debited when either is given, else `amount`, else
/// zero.
pub fn signed_amount(transaction: &Transaction) -> Decimal {
    match (transaction.amount_credited, transaction.amount_debited) {
        (None, None) => transaction.amount.unwrap_or_default(),
        (credited, debited) => {
            let credited = credited.unwrap_or_default().abs();
            let debited = debited.unwrap_or_default().abs();
            if credited.is_zero() && debited.is_zero() {
                transaction.amount.unwrap_or_default()
            } else {
                credited - debited
            }
        }
    }
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
        let raw: Transaction = serde_json::from_str(
            r#"{"id":"T1","type":"SUBSCRIPTION_AMOUNT","amount":50.00,"amount_credited":0.00,"amount_debited":50.00}"#,
        )
        .unwrap();
        assert_eq!(signed_amount(&raw), Decimal::new(-5000, 2));
        let raw: Transaction =
            serde_json::from_str(r#"{"id":"T2","type":"ORDER_AMOUNT","amount":"12.5"}"#).unwrap();
        assert_eq!(signed_amount(&raw), Decimal::new(125, 1));
    }
}
