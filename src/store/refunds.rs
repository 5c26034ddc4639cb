//! Refunds keyed by the WooCommerce refund id: the row exists before OR28 is called and records
//! the Mirakl refund ids afterwards, so a refund is sent exactly once even across a crash.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{from_ms, json_column, Store, StoreError};

/// A WooCommerce refund on a Mirakl order. `created_at`/`updated_at` are set by the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefundRecord {
    pub wc_refund_id: i64,
    pub mirakl_order_id: String,
    pub mirakl_refund_ids: Vec<String>,
    /// Where the refund is (e.g. `pending`, `sent`, `failed`, `adopted`), as the engine names it.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RefundRecord {
    pub fn new(
        wc_refund_id: i64,
        mirakl_order_id: impl Into<String>,
        state: impl Into<String>,
    ) -> RefundRecord {
        RefundRecord {
            wc_refund_id,
            mirakl_order_id: mirakl_order_id.into(),
            mirakl_refund_ids: Vec::new(),
            state: state.into(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }
}

const REFUND_COLUMNS: &str =
    "wc_refund_id, mirakl_order_id, mirakl_refund_ids, state, created_at, updated_at";

fn refund_from_row(row: &Row<'_>) -> rusqlite::Result<RefundRecord> {
    let ids = json_column(row, 2)?.unwrap_or_default();
    let mirakl_refund_ids = serde_json::from_value(ids).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(RefundRecord {
        wc_refund_id: row.get(0)?,
        mirakl_order_id: row.get(1)?,
        mirakl_refund_ids,
        state: row.get(3)?,
        created_at: from_ms(row.get(4)?),
        updated_at: from_ms(row.get(5)?),
    })
}

/// Inserts or updates the refund `refund.wc_refund_id`. The Mirakl order it belongs to never
/// changes; an empty id list does not erase ids already recorded.
pub(crate) fn upsert(
    conn: &Connection,
    refund: &RefundRecord,
    now: i64,
) -> Result<RefundRecord, StoreError> {
    let ids = serde_json::to_string(&refund.mirakl_refund_ids)
        .map_err(|e| StoreError::Data(format!("refund ids: {e}")))?;
    let sql = format!(
        "INSERT INTO refunds (wc_refund_id, mirakl_order_id, mirakl_refund_ids, state,
                              created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (wc_refund_id) DO UPDATE SET
            mirakl_refund_ids = CASE WHEN excluded.mirakl_refund_ids = '[]'
                                     THEN mirakl_refund_ids ELSE excluded.mirakl_refund_ids END,
            state      = excluded.state,
            updated_at = excluded.updated_at
         RETURNING {REFUND_COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            refund.wc_refund_id,
            refund.mirakl_order_id,
            ids,
            refund.state,
            now
        ],
        refund_from_row,
    )?)
}

pub(crate) fn get(
    conn: &Connection,
    wc_refund_id: i64,
) -> Result<Option<RefundRecord>, StoreError> {
    let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE wc_refund_id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([wc_refund_id], refund_from_row)
        .optional()?)
}

/// Refunds of one Mirakl order (for the over-refund guard), oldest first.
pub(crate) fn list_for_order(
    conn: &Connection,
    mirakl_order_id: &str,
) -> Result<Vec<RefundRecord>, StoreError> {
    let sql = format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE mirakl_order_id = ?1
         ORDER BY created_at, wc_refund_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([mirakl_order_id], refund_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refunds (in `state` when given), most recently updated first.
pub(crate) fn list(
    conn: &Connection,
    state: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<Vec<RefundRecord>, StoreError> {
    let sql = format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE (?1 IS NULL OR state = ?1)
         ORDER BY updated_at DESC, wc_refund_id DESC LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![state, limit, offset], refund_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn upsert_refund(&self, refund: &RefundRecord) -> Result<RefundRecord, StoreError> {
        upsert(&self.conn, refund, self.now_ms())
    }

    pub fn refund(&self, wc_refund_id: i64) -> Result<Option<RefundRecord>, StoreError> {
        get(&self.conn, wc_refund_id)
    }

    pub fn refunds_for_order(
        &self,
        mirakl_order_id: &str,
    ) -> Result<Vec<RefundRecord>, StoreError> {
        list_for_order(&self.conn, mirakl_order_id)
    }

    pub fn list_refunds(
        &self,
        state: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<RefundRecord>, StoreError> {
        list(&self.conn, state, limit, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use chrono::Duration;

    #[test]
    fn a_refund_is_keyed_by_its_woocommerce_id_and_keeps_its_mirakl_ids() {
        let (store, clock) = store();
        let pending = store
            .upsert_refund(&RefundRecord::new(9, "M-1", "pending"))
            .unwrap();
        assert!(pending.mirakl_refund_ids.is_empty());
        clock.advance(Duration::seconds(5));
        let mut sent = RefundRecord::new(9, "M-1", "sent");
        sent.mirakl_refund_ids = vec!["R-1".into(), "R-2".into()];
        store.upsert_refund(&sent).unwrap();
        // A later state change without ids keeps the recorded ones.
        let done = store
            .upsert_refund(&RefundRecord::new(9, "M-1", "confirmed"))
            .unwrap();
        assert_eq!(done.mirakl_refund_ids, ["R-1", "R-2"]);
        assert_eq!(done.state, "confirmed");
        assert_eq!(done.created_at, pending.created_at);
        assert_eq!(store.refund(9).unwrap(), Some(done));
        assert_eq!(store.refund(10).unwrap(), None);
    }

    #[test]
    fn refunds_list_per_order_and_by_state() {
        let (store, _clock) = store();
        store
            .upsert_refund(&RefundRecord::new(1, "M-1", "sent"))
            .unwrap();
        store
            .upsert_refund(&RefundRecord::new(2, "M-1", "pending"))
            .unwrap();
        store
            .upsert_refund(&RefundRecord::new(3, "M-2", "pending"))
            .unwrap();
        let m1: Vec<_> = store.refunds_for_order("M-1").unwrap();
        assert_eq!(
            m1.iter().map(|r| r.wc_refund_id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(store.list_refunds(Some("pending"), 10, 0).unwrap().len(), 2);
        assert_eq!(store.list_refunds(None, 10, 0).unwrap().len(), 3);
    }
}
