//! Finance: the Mirakl ledger imported into the store, matched against what WooCommerce says each
//! order is worth, reconciled per payout and summed into a month-end report finance can close from.
//!
//! Flow: [`import_ledger`] pulls TL02 transaction logs incrementally (plus IV01 accounting
//! documents and SBC11 billing cycles where the instance has them) → the engine records the shop
//! side as it creates, cancels and refunds orders (`crate::sync::expected`), and
//! [`record_shop_orders`] brings it up to date with what only WooCommerce knows (edits, refunds
//! made there, its own total) → [`match_ledger`] compares both and
//! raises finance problems → [`payouts`] and [`month_end_report`] read the result;
//! [`report_csv`], [`report_orders_csv`] and [`ledger_csv`] export it ([`month_csv`] by its
//! [`CsvExport`] kind). Batched, never real-time. Every statement on the finance tables is the
//! store's (`crate::store`'s finance methods); this module decides what they mean.
//!
//! # For the PHP layer
//!
//! Every input and output is serde JSON: amounts are decimal strings (`"12.50"`), times RFC 3339
//! UTC. In: [`FinanceSettings`] (via [`validate_settings`]) and [`ShopOrderReport`] (WooCommerce's
//! figures of a marketplace order; [`record_expected_order`] takes a whole [`ExpectedOrder`], for
//! tests and benchmarks). Out: [`ImportReport`],
//! [`ImportStatus`], [`MatchReport`], [`PayoutReconciliation`], [`MonthEndReport`], CSV text.
//! Errors are [`FinanceError`], which carries the crate's stable error code.
//!
//! # Semantics
//!
//! - **Sign.** Every stored amount is signed from the seller's view of its Mirakl balance:
//!   what Mirakl credits the seller (sales, shipping, collected taxes, refunded commission,
//!   manual credits) is positive; what it debits (commissions, their VAT, refunds to customers,
//!   fees, subscriptions, manual invoices, and the payout itself, which empties the balance into
//!   the seller's bank) is negative. TL02's `amount_credited`/`amount_debited` (both ≥ 0) are
//!   authoritative: signed = credited − debited. `amount` is used only when neither is given
//!   (some feeds send a positive `amount` for a debit; the credited/debited pair never lies).
//! - **Categories.** Each TL02 `type` maps to one [`Category`] (see [`classify`]); every type in
//!   Mirakl's seller API is recognised. An unknown type is stored as `unknown` with its raw type,
//!   counted in the report under `other` and raised once as `finance_unknown_transaction_type`.
//! - **Payment state.** `PENDING` (order not yet shipped/accepted for payment), `PAYABLE` (due in
//!   the next payout), `PAID` (settled by a `PAYMENT`), `NOT_APPLICABLE` (voided, e.g. the order
//!   was cancelled before shipping: excluded from every figure, shown as `cancelled_*`),
//!   `RESERVE`. Sales are recognised when Mirakl records them, whatever their payment state.
//!   The balance still owed by the marketplace at a month's end is every live (not
//!   `NOT_APPLICABLE`) transaction dated up to then, payouts included: pending + payable not yet
//!   paid. It needs the ledger imported from the shop's first transaction.
//! - **Periods.** A transaction belongs to the UTC calendar month of its `transaction_date`,
//!   falling back to `date_created`, then `last_updated`. Payouts fall in the month of their
//!   `PAYMENT` transaction.
//! - **Currencies** are never mixed: every figure, payout and balance is per currency.
//! - **Rounding.** Amounts are exact decimals (stored as ten-thousandths). Shop and Mirakl
//!   figures are equal when they differ by at most [`FinanceSettings::rounding_tolerance`]
//!   (default 0.01) per compared figure.

mod export;
mod import;
mod matching;
mod report;
mod settings;
mod shop_orders;
mod types;

pub use export::{
    ledger_csv, ledger_csv_with_accounts, month_csv, report_csv, report_orders_csv, CsvExport,
};
pub use import::{
    import_due, import_ledger, import_status, ImportReport, ImportStatus, IMPORT_CURSOR, IMPORT_RUN,
};
pub use matching::{
    match_ledger, record_expected_order, record_expected_orders, Discrepancy, ExpectedLine,
    ExpectedOrder, ExpectedRefund, MatchReport, PROBLEM_KINDS,
};
pub use report::{
    month_end_report, month_end_summary, payouts, CurrencyFigures, MonthEndReport, OrderRow,
    PayoutFilter, PayoutLine, PayoutReconciliation,
};
pub use settings::{
    commission_fee_line, validate_settings, CommissionFeeLine, CommissionPosting, FinanceSettings,
};
pub use shop_orders::{
    allocate, record_shop_orders, ReportedItem, ReportedLine, ReportedRefund, ShopOrderReport,
    ShopOrdersReport,
};
pub use types::{classify, signed_amount, Category, LedgerRow};

use crate::error::{Coded, ErrorCode};
use crate::mirakl::MiraklError;
use crate::store::StoreError;

/// What can stop a finance call. Budget refusals and 429s are not errors: the import returns
/// a "come back at" time instead.
#[derive(Debug, thiserror::Error)]
pub enum FinanceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mirakl(#[from] MiraklError),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("finance data: {0}")]
    Data(String),
    #[error("csv export: {0}")]
    Csv(String),
}

impl Coded for FinanceError {
    fn code(&self) -> ErrorCode {
        match self {
            FinanceError::Store(e) => e.code(),
            FinanceError::Data(_) => ErrorCode::Store,
            FinanceError::Mirakl(e) => e.code(),
            FinanceError::Csv(_) => ErrorCode::Internal,
            FinanceError::InvalidArgument(_) => ErrorCode::InvalidArgument,
        }
    }
}

/// Money helpers (they live beside the finance tables, in the store).
pub(crate) use crate::store::finance::money;
