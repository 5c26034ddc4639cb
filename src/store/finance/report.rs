//! The sums finance reads from the ledger: per order for matching, per month for the report,
//! per payout for reconciliation. Sums are exact (ten-thousandths) and made in SQL over the
//! covering indexes of `0003_finance.sql`; voided (`NOT_APPLICABLE`) rows are left out where
//! the caller counts only live ones.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::super::{from_ms, Store, StoreError};
use super::{each_row, rows};

/// Live rows only: a voided transaction (`NOT_APPLICABLE`) is in no figure.
const LIVE: &str = "(payment_state IS NULL OR payment_state != 'NOT_APPLICABLE')";

/// One order's live amounts summed per line, refund, category and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceOrderSum {
    pub order_id: String,
    pub order_line_id: Option<String>,
    pub refund_id: Option<String>,
    pub category: String,
    pub currency: String,
    pub amount_e4: i64,
}

/// The transactions of one unknown type in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceTypeTotal {
    pub transaction_type: String,
    pub currency: String,
    pub transactions: i64,
    pub amount_e4: i64,
}

/// Earlier months' amounts, summed per currency, payment state and payout or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceOpeningSum {
    pub currency: String,
    pub payment_state: Option<String>,
    pub is_payment: bool,
    pub amount_e4: i64,
}

/// One transaction of a month, as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinancePeriodRow {
    pub currency: String,
    pub payment_state: Option<String>,
    pub category: String,
    pub order_id: Option<String>,
    pub amount_e4: i64,
}

/// Which payouts to read; every `None` matches all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FinancePaymentQuery<'a> {
    pub currency: Option<&'a str>,
    /// Dated from (inclusive) ...
    pub from: Option<DateTime<Utc>>,
    /// ... to (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// One accounting document (id or number).
    pub document: Option<&'a str>,
}

/// A PAYMENT transaction: a payout to the seller's bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinancePayment {
    pub id: String,
    pub amount_e4: i64,
    pub currency: String,
    pub transaction_date: DateTime<Utc>,
    pub accounting_document_id: Option<String>,
    pub accounting_document_number: Option<String>,
    pub seller_billing_cycle_id: Option<String>,
}

/// What ties a payout to the transactions it settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettledBy<'a> {
    /// The same accounting document id.
    Document(&'a str),
    /// The same seller billing cycle.
    BillingCycle(&'a str),
    /// Nothing: the payout names neither, so it settles no listed transaction.
    Nothing,
}

impl SettledBy<'_> {
    fn column_and_key(self) -> Option<(&'static str, String)> {
        match self {
            SettledBy::Document(id) => Some(("accounting_document_id", id.to_owned())),
            SettledBy::BillingCycle(id) => Some(("seller_billing_cycle_id", id.to_owned())),
            SettledBy::Nothing => None,
        }
    }
}

/// The live transactions a payout settles, summed per category and paid or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceSettledSum {
    pub category: String,
    /// Marked `PAID` by Mirakl.
    pub paid: bool,
    pub amount_e4: i64,
    pub transactions: u64,
}

impl Store {
    /// Every order's live amounts, summed per line, refund, category and currency (matching).
    pub fn finance_order_sums(&self) -> Result<Vec<FinanceOrderSum>, StoreError> {
        rows(
            &self.conn,
            &format!(
                "SELECT order_id, order_line_id, refund_id, category, currency, SUM(amount_e4)
                 FROM finance_transactions
                 WHERE order_id IS NOT NULL AND {LIVE}
                 GROUP BY order_id, order_line_id, refund_id, category, currency"
            ),
            [],
            |row| {
                Ok(FinanceOrderSum {
                    order_id: row.get(0)?,
                    order_line_id: row.get(1)?,
                    refund_id: row.get(2)?,
                    category: row.get(3)?,
                    currency: row.get(4)?,
                    amount_e4: row.get(5)?,
                })
            },
        )
    }

    /// The transactions whose type this version does not know (category `unknown`), per type
    /// and currency, by type.
    pub fn finance_unknown_type_totals(&self) -> Result<Vec<FinanceTypeTotal>, StoreError> {
        rows(
            &self.conn,
            "SELECT transaction_type, currency, COUNT(*), SUM(amount_e4) FROM finance_transactions
             WHERE category = 'unknown' GROUP BY transaction_type, currency ORDER BY transaction_type",
            [],
            |row| {
                Ok(FinanceTypeTotal {
                    transaction_type: row.get(0)?,
                    currency: row.get(1)?,
                    transactions: row.get(2)?,
                    amount_e4: row.get(3)?,
                })
            },
        )
    }

    /// The months before `period` (`YYYY-MM`), summed per currency (only `currency` if given),
    /// payment state and payout or not: what the month opens with.
    pub fn finance_opening_sums(
        &self,
        period: &str,
        currency: Option<&str>,
    ) -> Result<Vec<FinanceOpeningSum>, StoreError> {
        rows(
            &self.conn,
            "SELECT currency, payment_state, category = 'payment', SUM(amount_e4)
             FROM finance_transactions WHERE period < ?1 AND (?2 IS NULL OR currency = ?2)
             GROUP BY 1, 2, 3",
            params![period, currency],
            |row| {
                Ok(FinanceOpeningSum {
                    currency: row.get(0)?,
                    payment_state: row.get(1)?,
                    is_payment: row.get(2)?,
                    amount_e4: row.get(3)?,
                })
            },
        )
    }

    /// Hands every transaction of `period` (`YYYY-MM`; only `currency` if given) to `visit`,
    /// one at a time, read from the covering index.
    pub fn for_each_finance_period_row<E: From<StoreError>>(
        &self,
        period: &str,
        currency: Option<&str>,
        visit: impl FnMut(FinancePeriodRow) -> Result<(), E>,
    ) -> Result<(), E> {
        each_row(
            &self.conn,
            "SELECT currency, payment_state, category, order_id, amount_e4
             FROM finance_transactions WHERE period = ?1 AND (?2 IS NULL OR currency = ?2)",
            params![period, currency],
            |row| {
                Ok(FinancePeriodRow {
                    currency: row.get(0)?,
                    payment_state: row.get(1)?,
                    category: row.get(2)?,
                    order_id: row.get(3)?,
                    amount_e4: row.get(4)?,
                })
            },
            visit,
        )
    }

    /// The payouts (PAYMENT transactions) matching `query`, oldest first.
    pub fn finance_payments(
        &self,
        query: &FinancePaymentQuery<'_>,
    ) -> Result<Vec<FinancePayment>, StoreError> {
        rows(
            &self.conn,
            "SELECT id, amount_e4, currency, transaction_date, accounting_document_id,
                    accounting_document_number, seller_billing_cycle_id
             FROM finance_transactions
             WHERE category = 'payment' AND (?1 IS NULL OR currency = ?1)
               AND (?2 IS NULL OR transaction_date >= ?2) AND (?3 IS NULL OR transaction_date < ?3)
               AND (?4 IS NULL OR accounting_document_id = ?4 OR accounting_document_number = ?4)
             ORDER BY transaction_date, id",
            params![
                query.currency,
                query.from.map(|d| d.timestamp_millis()),
                query.to.map(|d| d.timestamp_millis()),
                query.document
            ],
            |row| {
                Ok(FinancePayment {
                    id: row.get(0)?,
                    amount_e4: row.get(1)?,
                    currency: row.get(2)?,
                    transaction_date: from_ms(row.get(3)?),
                    accounting_document_id: row.get(4)?,
                    accounting_document_number: row.get(5)?,
                    seller_billing_cycle_id: row.get(6)?,
                })
            },
        )
    }

    /// The live transactions in `currency` a payout settles (not the payout itself), summed
    /// per category and paid or not.
    pub fn finance_settled_sums(
        &self,
        by: SettledBy<'_>,
        currency: &str,
    ) -> Result<Vec<FinanceSettledSum>, StoreError> {
        let Some((column, key)) = by.column_and_key() else {
            return Ok(Vec::new());
        };
        rows(
            &self.conn,
            &format!(
                "SELECT category, payment_state IS 'PAID', SUM(amount_e4), COUNT(*) FROM finance_transactions
                 WHERE {column} = ?1 AND category != 'payment' AND currency = ?2 AND {LIVE}
                 GROUP BY 1, 2"
            ),
            params![key, currency],
            |row| {
                Ok(FinanceSettledSum {
                    category: row.get(0)?,
                    paid: row.get(1)?,
                    amount_e4: row.get(2)?,
                    transactions: u64::try_from(row.get::<_, i64>(3)?).unwrap_or_default(),
                })
            },
        )
    }

    /// The distinct orders (in `currency`, live transactions) a payout settles, sorted.
    pub fn finance_settled_order_ids(
        &self,
        by: SettledBy<'_>,
        currency: &str,
    ) -> Result<Vec<String>, StoreError> {
        let Some((column, key)) = by.column_and_key() else {
            return Ok(Vec::new());
        };
        rows(
            &self.conn,
            &format!(
                "SELECT DISTINCT order_id FROM finance_transactions
                 WHERE {column} = ?1 AND order_id IS NOT NULL AND currency = ?2 AND {LIVE} ORDER BY 1"
            ),
            params![key, currency],
            |row| row.get(0),
        )
    }
}
