//! Finance: TL02 transaction logs (seek pagination, up to 2000 per page, budgeted 20/min and
//! 60/h) and IV01 accounting documents (offset pagination, once a day plus one call per page).
//! SBC11 seller billing cycles (seek pagination, once a day plus one call per page).
//! Amounts are decimals; unknown transaction types are kept as text.

use crate::mirakl::budget::{keys, CallBudget};
use crate::mirakl::client::{resource_handler, OffsetPages, SeekPage, SeekPages};
use crate::mirakl::model::{
    date_opt, decimal_opt, int_opt, nullable, offset_page, offset_query, open_enum, page_size,
    text, text_opt, SortOrder, Tax,
};
use crate::mirakl::request::{format_date, ApiCode, Request};
use crate::mirakl::transport::Transport;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

open_enum! {
    /// TL02 transaction `type` (the ones the connector reconciles; others kept as text).
    TransactionType {
        OrderAmount => "ORDER_AMOUNT",
        OrderAmountTax => "ORDER_AMOUNT_TAX",
        OrderShippingAmount => "ORDER_SHIPPING_AMOUNT",
        OrderShippingAmountTax => "ORDER_SHIPPING_AMOUNT_TAX",
        CommissionFee => "COMMISSION_FEE",
        CommissionVat => "COMMISSION_VAT",
        RefundOrderAmount => "REFUND_ORDER_AMOUNT",
        RefundOrderAmountTax => "REFUND_ORDER_AMOUNT_TAX",
        RefundOrderShippingAmount => "REFUND_ORDER_SHIPPING_AMOUNT",
        RefundOrderShippingAmountTax => "REFUND_ORDER_SHIPPING_AMOUNT_TAX",
        RefundCommissionFee => "REFUND_COMMISSION_FEE",
        RefundCommissionVat => "REFUND_COMMISSION_VAT",
        SubscriptionFee => "SUBSCRIPTION_FEE",
        SubscriptionVat => "SUBSCRIPTION_VAT",
        ManualCredit => "MANUAL_CREDIT",
        ManualCreditVat => "MANUAL_CREDIT_VAT",
        ManualInvoice => "MANUAL_INVOICE",
        ManualInvoiceVat => "MANUAL_INVOICE_VAT",
        Payment => "PAYMENT",
    }
}

open_enum! {
    /// TL02 `payment_state`.
    PaymentState {
        Pending => "PENDING",
        Payable => "PAYABLE",
        Paid => "PAID",
        NotApplicable => "NOT_APPLICABLE",
        Reserve => "RESERVE",
    }
}

/// Largest TL02 page.
pub const MAX_TRANSACTION_PAGE: u32 = 2000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransactionQuery {
    pub date_created_from: Option<DateTime<Utc>>,
    pub date_created_to: Option<DateTime<Utc>>,
    pub last_updated_from: Option<DateTime<Utc>>,
    pub transaction_date_from: Option<DateTime<Utc>>,
    pub transaction_date_to: Option<DateTime<Utc>>,
    pub transaction_types: Vec<TransactionType>,
    pub payment_states: Vec<PaymentState>,
    pub order_ids: Vec<String>,
    /// `lastUpdated,ASC` is Mirakl's recommendation for incremental reads.
    pub sort: Option<String>,
    /// Page size, at most 2000 (the default here).
    pub limit: Option<u32>,
}

impl TransactionQuery {
    pub fn limit(&self) -> u32 {
        self.limit
            .unwrap_or(MAX_TRANSACTION_PAGE)
            .clamp(1, MAX_TRANSACTION_PAGE)
    }
}

/// TL02: the first page of transaction logs matching `query`.
pub fn transactions(query: &TransactionQuery) -> Request {
    Request::get(ApiCode::TL02, "/sellerpayment/transactions_logs")
        .query_opt(
            "date_created_from",
            query.date_created_from.as_ref().map(format_date),
        )
        .query_opt(
            "date_created_to",
            query.date_created_to.as_ref().map(format_date),
        )
        .query_opt(
            "last_updated_from",
            query.last_updated_from.as_ref().map(format_date),
        )
        .query_opt(
            "transaction_date_from",
            query.transaction_date_from.as_ref().map(format_date),
        )
        .query_opt(
            "transaction_date_to",
            query.transaction_date_to.as_ref().map(format_date),
        )
        .query_repeated("transaction_type", &query.transaction_types)
        .query_repeated("payment_state", &query.payment_states)
        .query_repeated("order_id", &query.order_ids)
        .query_opt("sort", query.sort.as_ref())
        .query("limit", query.limit().to_string())
}

/// TL02: a following page. With `page_token` Mirakl ignores every other filter.
pub fn transactions_page(page_token: &str, limit: u32) -> Request {
    Request::get(ApiCode::TL02, "/sellerpayment/transactions_logs")
        .query("page_token", page_token)
        .query("limit", limit.clamp(1, MAX_TRANSACTION_PAGE).to_string())
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TransactionPage {
    /// Each row is decoded on its own, so a row that cannot be read names its `id`.
    #[serde(default, deserialize_with = "transaction_rows")]
    pub data: Vec<Transaction>,
    #[serde(default)]
    pub next_page_token: Option<String>,
    #[serde(default)]
    pub previous_page_token: Option<String>,
}

/// TL02's `data`, each row decoded on its own: a row that cannot be read (an amount past the
/// connector's bounds, a missing `id`) fails the page with an error naming that row's `id` and
/// position, so the merchant can tell Mirakl which transaction is wrong.
fn transaction_rows<'de, D>(d: D) -> Result<Vec<Transaction>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    struct IdOnly {
        #[serde(default)]
        id: Option<serde_json::Value>,
    }
    let rows: Vec<Box<serde_json::value::RawValue>> = nullable(d)?;
    rows.iter()
        .enumerate()
        .map(|(position, raw)| {
            serde_json::from_str::<Transaction>(raw.get()).map_err(|error| {
                let id = serde_json::from_str::<IdOnly>(raw.get())
                    .ok()
                    .and_then(|row| row.id)
                    .map(|id| match id {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    })
                    .map(|id| id.chars().filter(|c| !c.is_control()).take(64).collect())
                    .unwrap_or_else(|| "without an id".to_owned());
                serde::de::Error::custom(format!(
                    "transaction {id} (row {} of the page): {error}",
                    position + 1
                ))
            })
        })
        .collect()
}

impl SeekPage for TransactionPage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transaction {
    #[serde(deserialize_with = "text")]
    pub id: String,
    /// A row without a `type` reads as `UNKNOWN` (kept, never dropped).
    #[serde(rename = "type", default = "unknown_transaction_type")]
    pub transaction_type: TransactionType,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_credited: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_debited: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub balance: Option<Decimal>,
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub last_updated: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub transaction_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub payment_state: Option<PaymentState>,
    #[serde(default, deserialize_with = "text_opt")]
    pub accounting_document_id: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub accounting_document_number: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub accounting_document_creation_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "text_opt")]
    pub seller_billing_cycle_id: Option<String>,
    #[serde(default)]
    pub entities: Option<TransactionEntities>,
}

fn unknown_transaction_type() -> TransactionType {
    TransactionType::Other("UNKNOWN".to_owned())
}

impl Transaction {
    /// The Mirakl order this line belongs to, if any.
    pub fn order_id(&self) -> Option<&str> {
        self.entities
            .as_ref()
            .and_then(|e| e.order.as_ref())
            .map(|o| o.id.as_str())
    }
}

/// What a transaction is about; ids (and a fee's code, a one-off's description) are read, the
/// rest is ignored.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct TransactionEntities {
    #[serde(default)]
    pub order: Option<OrderEntity>,
    #[serde(default)]
    pub order_line: Option<EntityRef>,
    #[serde(default)]
    pub refund: Option<EntityRef>,
    #[serde(default)]
    pub shipment: Option<EntityRef>,
    #[serde(default)]
    pub transaction_info: Option<TransactionInfo>,
    #[serde(default)]
    pub fee: Option<FeeEntity>,
    #[serde(default)]
    pub one_off_item: Option<OneOffItem>,
}

/// An order or seller fee a transaction charges.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeeEntity {
    #[serde(default, deserialize_with = "text_opt")]
    pub code: Option<String>,
}

/// A one-off (manual) credit or debit booked by the operator.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OneOffItem {
    #[serde(default, deserialize_with = "text_opt")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderEntity {
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(default, deserialize_with = "text_opt")]
    pub commercial_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EntityRef {
    #[serde(deserialize_with = "text")]
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TransactionInfo {
    #[serde(default, deserialize_with = "text_opt")]
    pub number: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------------
// IV01

open_enum! {
    /// IV01 document `type`.
    InvoiceType {
        AutoInvoice => "AUTO_INVOICE",
        ManualInvoice => "MANUAL_INVOICE",
        ManualCredit => "MANUAL_CREDIT",
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvoiceQuery {
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    /// `ALL`, `AUTO_INVOICE` (Mirakl's default), `MANUAL_INVOICE`, `MANUAL_CREDIT`.
    pub document_type: Option<String>,
    /// `PENDING`, `PAID` or `FAILED`.
    pub payment_status: Option<String>,
    pub currency: Option<String>,
    pub order: Option<SortOrder>,
    pub page_size: Option<u32>,
}

impl InvoiceQuery {
    pub fn page_size(&self) -> u32 {
        page_size(self.page_size)
    }
}

/// IV01: list accounting documents, one page at `offset`.
pub fn invoices(query: &InvoiceQuery, offset: u64) -> Request {
    let request = Request::get(ApiCode::IV01, "/invoices")
        .query_opt("start_date", query.start_date.as_ref().map(format_date))
        .query_opt("end_date", query.end_date.as_ref().map(format_date))
        .query_opt("type", query.document_type.as_ref())
        .query_opt("payment_status", query.payment_status.as_ref())
        .query_opt("currency", query.currency.as_ref());
    offset_query(
        request,
        query.page_size(),
        offset,
        None,
        query.order,
        keys::IV01_PAGE,
    )
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoicePage {
    #[serde(default, deserialize_with = "nullable")]
    pub invoices: Vec<Invoice>,
    #[serde(default, deserialize_with = "int_opt")]
    pub total_count: Option<i64>,
}

offset_page!(InvoicePage, invoices);

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Invoice {
    #[serde(deserialize_with = "text")]
    pub invoice_id: String,
    /// The document number shown to the seller.
    #[serde(default, deserialize_with = "text_opt")]
    pub id: Option<String>,
    #[serde(default, rename = "type")]
    pub invoice_type: Option<InvoiceType>,
    #[serde(default, deserialize_with = "text_opt")]
    pub state: Option<String>,
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub issue_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub due_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "date_opt")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_amount_incl_taxes: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_amount_excl_taxes: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_charged_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "nullable")]
    pub total_taxes: Vec<Tax>,
    #[serde(default, deserialize_with = "text_opt")]
    pub seller_billing_cycle_id: Option<String>,
    #[serde(default)]
    pub payment: Option<InvoicePayment>,
    #[serde(default)]
    pub summary: Option<InvoiceSummary>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoicePayment {
    #[serde(default, deserialize_with = "text_opt")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "date_opt")]
    pub transaction_date: Option<DateTime<Utc>>,
}

/// The statement totals the month-end report uses.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct InvoiceSummary {
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_transferred: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_commissions_excl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_commissions_incl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_payable_orders_excl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_payable_orders_incl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_refund_orders_excl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_refund_orders_incl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_refund_commissions_incl_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_subscription_incl_tax: Option<Decimal>,
}

// ---------------------------------------------------------------------------------------------
// SBC11

/// Largest SBC11 page Mirakl allows.
pub const MAX_BILLING_CYCLE_PAGE: u32 = 1000;

/// SBC11: the first page of seller billing cycles (all are read, oldest first).
pub fn billing_cycles() -> Request {
    Request::get(ApiCode::SBC11, "/seller-billing-cycles")
        .query("limit", MAX_BILLING_CYCLE_PAGE.to_string())
}

/// SBC11: a following page (with a token Mirakl ignores every other parameter), budgeted as a
/// page ("once per day and as many times as there are pages").
pub fn billing_cycles_page(page_token: &str) -> Request {
    Request::get(ApiCode::SBC11, "/seller-billing-cycles")
        .query("page_token", page_token)
        .query("limit", MAX_BILLING_CYCLE_PAGE.to_string())
        .budget_key(keys::SBC11_PAGE)
}

/// One SBC11 page (seek pagination, like TL02).
#[derive(Debug, Clone, PartialEq, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PayOut {
    #[serde(default, deserialize_with = "text_opt")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub reference: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Client handler

resource_handler!(
    /// Finance calls bound to a client.
    Finance,
    finance
);

impl<'c, T: Transport, B: CallBudget> Finance<'c, T, B> {
    /// TL02: the pages of transaction logs, following `next_page_token`.
    pub fn transactions(&self, query: &TransactionQuery) -> SeekPages<'c, T, B, TransactionPage> {
        let limit = query.limit();
        self.client.seek_pages(transactions(query), move |token| {
            transactions_page(token, limit)
        })
    }

    /// IV01: the pages of accounting documents.
    pub fn invoices(&self, query: InvoiceQuery) -> OffsetPages<'c, T, B, InvoicePage> {
        let page_size = query.page_size();
        self.client
            .offset_pages(page_size, move |offset| invoices(&query, offset))
    }

    /// SBC11: the pages of seller billing cycles, following `next_page_token`.
    pub fn billing_cycles(&self) -> SeekPages<'c, T, B, BillingCyclePage> {
        self.client
            .seek_pages(billing_cycles(), billing_cycles_page)
    }
}
