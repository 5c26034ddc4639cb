//! Finance tables (migration `0003_finance.sql`): the imported TL02 ledger, IV01 documents and
//! SBC11 billing cycles, what the shop expects each order to be worth, the last match status per
//! order, and the import's named positions (`finance_import_state`: TL02 cursor, run in
//! progress, last complete run, ...).
//!
//! Every finance statement is here, one module per part: `transactions` (the ledger import),
//! `documents` (IV01 and SBC11), `expected` (the shop side and match statuses), `report` (the
//! month-end and payout sums) and `export` (the ledger CSV's rows). The methods take and return
//! plain rows (amounts in ten-thousandths, as stored; see [`money`]); `crate::finance` turns them
//! into its own types. A write that must be atomic (a TL02 page with the import's position after
//! it) opens its own transaction.

mod documents;
mod expected;
mod export;
mod report;
mod transactions;

use rusqlite::{params, Connection, OptionalExtension};

use super::{Store, StoreError};

pub use documents::{FinanceBillingCycle, FinanceDocument, FinanceTransfer};
pub use expected::FinanceExpectedOrder;
pub use export::FinanceLedgerLine;
pub use report::{
    FinanceOpeningSum, FinanceOrderSum, FinancePayment, FinancePaymentQuery, FinancePeriodRow,
    FinanceSettledSum, FinanceTypeTotal, SettledBy,
};
pub use transactions::{FinanceTransaction, ImportStateChange, UpsertCounts};

/// The value of the import position `name`, if set.
fn import_state(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM finance_import_state WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()
}

/// Sets the import position `name` (`now` in milliseconds).
fn set_import_state(conn: &Connection, name: &str, value: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO finance_import_state (name, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(params![name, value, now])?;
    Ok(())
}

/// Forgets the import position `name`.
fn clear_import_state(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM finance_import_state WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

/// Money helpers: exact decimals stored as integers of ten-thousandths.
pub(crate) mod money {
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;

    const SCALE: u32 = 4;

    /// To ten-thousandths (banker's rounding beyond four decimals, which no currency uses);
    /// `None` when out of range (a hostile 1e25 would overflow the multiply itself).
    pub fn to_e4(value: Decimal) -> Option<i64> {
        value
            .round_dp(SCALE)
            .checked_mul(Decimal::from(10_000))?
            .trunc()
            .to_i64()
    }

    pub fn from_e4(value: i64) -> Decimal {
        let mut decimal = Decimal::new(value, SCALE).normalize();
        if decimal.scale() < 2 {
            decimal.rescale(2);
        }
        decimal
    }

    /// Shown with at least two decimals (`12.50`, `-3.00`, `0.125`).
    pub fn text(value: Decimal) -> String {
        let mut decimal = value.normalize();
        if decimal.scale() < 2 {
            decimal.rescale(2);
        }
        decimal.to_string()
    }
}

impl Store {
    /// The finance import position `name`, if set.
    pub fn finance_import_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(import_state(&self.conn, name)?)
    }

    /// Sets the finance import position `name`.
    pub fn set_finance_import_state(&self, name: &str, value: &str) -> Result<(), StoreError> {
        Ok(set_import_state(&self.conn, name, value, self.now_ms())?)
    }

    /// Forgets the finance import position `name`.
    pub fn clear_finance_import_state(&self, name: &str) -> Result<(), StoreError> {
        Ok(clear_import_state(&self.conn, name)?)
    }
}

impl Store {
    /// Applies `write` to every item (with the store's time in milliseconds) in one transaction:
    /// all or nothing.
    fn write_each<T>(
        &self,
        items: &[T],
        write: impl Fn(&Connection, &T, i64) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        super::immediate(&self.conn, |conn| -> Result<(), StoreError> {
            for item in items {
                write(conn, item, now)?;
            }
            Ok(())
        })
    }
}

/// Collects a statement's rows, each decoded by `map`.
fn rows<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Hands a statement's rows one at a time to `visit` (a month of the ledger is never held whole).
fn each_row<T, E: From<StoreError>, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    decode: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    mut visit: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn.prepare_cached(sql).map_err(StoreError::from)?;
    let mut rows = stmt.query(params).map_err(StoreError::from)?;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        visit(decode(row).map_err(StoreError::from)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_e4_is_none_out_of_range_instead_of_panicking() {
        use rust_decimal::Decimal;
        assert_eq!(money::to_e4(Decimal::new(1250, 2)), Some(125_000));
        let huge: Decimal = "10000000000000000000000000".parse().unwrap();
        assert_eq!(money::to_e4(huge), None);
        assert_eq!(money::to_e4(-huge), None);
        assert_eq!(money::to_e4(Decimal::MAX), None);
    }

    #[test]
    fn import_state_is_set_read_and_cleared() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.finance_import_state("tl02.cursor").unwrap(), None);
        store
            .set_finance_import_state("tl02.cursor", "2026-01-01T00:00:00+00:00")
            .unwrap();
        store.set_finance_import_state("tl02.cursor", "b").unwrap();
        assert_eq!(
            store
                .finance_import_state("tl02.cursor")
                .unwrap()
                .as_deref(),
            Some("b")
        );
        store.clear_finance_import_state("tl02.cursor").unwrap();
        assert_eq!(store.finance_import_state("tl02.cursor").unwrap(), None);
    }
}
