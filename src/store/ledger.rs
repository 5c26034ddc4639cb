//! The SKU ledger: per SKU, WooCommerce's quantity, what was last pushed to Mirakl (STO01) and
//! what Mirakl last reported. A quantity change bumps `revision` and marks the SKU dirty; a push
//! clears `dirty` only for the revision it read, so a change made during a push is pushed next.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{from_ms, opt_from_ms, Store, StoreError};

/// One SKU's stock bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkuLedgerEntry {
    pub sku: String,
    pub shop_quantity: Option<i64>,
    pub revision: i64,
    pub dirty: bool,
    pub dirty_since: Option<DateTime<Utc>>,
    pub last_pushed_quantity: Option<i64>,
    pub last_pushed_at: Option<DateTime<Utc>>,
    /// The STO01 import that carried the last push (checked with STO02).
    pub import_id: Option<String>,
    pub marketplace_quantity: Option<i64>,
    pub marketplace_seen_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One SKU of a stock push, for [`Store::record_sku_pushes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkuPush<'a> {
    pub sku: &'a str,
    /// The ledger revision the pushed quantity was read at.
    pub revision: i64,
    pub quantity: i64,
}

/// A SKU waiting to be pushed, with the revision to hand back to [`Store::record_sku_push`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtySku {
    pub sku: String,
    pub shop_quantity: Option<i64>,
    pub revision: i64,
    pub dirty_since: DateTime<Utc>,
}

const LEDGER_COLUMNS: &str = "sku, shop_quantity, revision, dirty, dirty_since, \
    last_pushed_quantity, last_pushed_at, import_id, marketplace_quantity, marketplace_seen_at, \
    last_error, updated_at";

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<SkuLedgerEntry> {
    Ok(SkuLedgerEntry {
        sku: row.get(0)?,
        shop_quantity: row.get(1)?,
        revision: row.get(2)?,
        dirty: row.get(3)?,
        dirty_since: opt_from_ms(row.get(4)?),
        last_pushed_quantity: row.get(5)?,
        last_pushed_at: opt_from_ms(row.get(6)?),
        import_id: row.get(7)?,
        marketplace_quantity: row.get(8)?,
        marketplace_seen_at: opt_from_ms(row.get(9)?),
        last_error: row.get(10)?,
        updated_at: from_ms(row.get(11)?),
    })
}

/// Records WooCommerce's quantity for `sku` and marks it dirty (keeping the first dirty time).
/// Returns the new revision.
pub(crate) fn set_shop_quantity(
    conn: &Connection,
    sku: &str,
    quantity: i64,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO sku_ledger (sku, shop_quantity, revision, dirty, dirty_since, updated_at)
             VALUES (?1, ?2, 1, 1, ?3, ?3)
             ON CONFLICT (sku) DO UPDATE SET
                shop_quantity = excluded.shop_quantity,
                revision     = revision + 1,
                dirty_since  = CASE WHEN dirty = 1 THEN dirty_since ELSE excluded.dirty_since END,
                dirty        = 1,
                updated_at   = excluded.updated_at
             RETURNING revision",
        )?
        .query_row(params![sku, quantity, now], |row| row.get(0))?)
}

/// Records a successful push of `quantity` for `sku` in import `import_id`. Clears `dirty` only
/// if the ledger is still at `revision`; returns whether it did.
pub(crate) fn record_push(
    conn: &Connection,
    sku: &str,
    revision: i64,
    quantity: i64,
    import_id: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let still_current: Option<bool> = conn
        .prepare_cached(
            "UPDATE sku_ledger SET
                last_pushed_quantity = ?3, last_pushed_at = ?5, import_id = ?4, last_error = NULL,
                dirty       = CASE WHEN revision = ?2 THEN 0 ELSE dirty END,
                dirty_since = CASE WHEN revision = ?2 THEN NULL ELSE dirty_since END,
                updated_at  = ?5
             WHERE sku = ?1
             RETURNING revision = ?2",
        )?
        .query_row(params![sku, revision, quantity, import_id, now], |row| {
            row.get(0)
        })
        .optional()?;
    still_current.ok_or_else(|| StoreError::NotFound {
        what: format!("sku {sku} in the ledger"),
    })
}

/// Records why the last push of `sku` failed; the SKU stays dirty.
pub(crate) fn record_push_error(
    conn: &Connection,
    sku: &str,
    message: &str,
    now: i64,
) -> Result<(), StoreError> {
    let changed = conn
        .prepare_cached("UPDATE sku_ledger SET last_error = ?2, updated_at = ?3 WHERE sku = ?1")?
        .execute(params![sku, message, now])?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: format!("sku {sku} in the ledger"),
        });
    }
    Ok(())
}

/// Records the quantity Mirakl reported for `sku` (OF21/OF51) at `seen_at`.
pub(crate) fn record_marketplace_quantity(
    conn: &Connection,
    sku: &str,
    quantity: i64,
    seen_at: i64,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sku_ledger (sku, marketplace_quantity, marketplace_seen_at, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sku) DO UPDATE SET
            marketplace_quantity = excluded.marketplace_quantity,
            marketplace_seen_at  = excluded.marketplace_seen_at,
            updated_at           = excluded.updated_at",
    )?
    .execute(params![sku, quantity, seen_at, now])?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, sku: &str) -> Result<Option<SkuLedgerEntry>, StoreError> {
    let sql = format!("SELECT {LEDGER_COLUMNS} FROM sku_ledger WHERE sku = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([sku], entry_from_row)
        .optional()?)
}

/// Ledger rows in SKU order after `after` (keyset paging for large catalogues).
pub(crate) fn list(
    conn: &Connection,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<SkuLedgerEntry>, StoreError> {
    let sql = format!(
        "SELECT {LEDGER_COLUMNS} FROM sku_ledger WHERE (?1 IS NULL OR sku > ?1)
         ORDER BY sku LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![after, limit], entry_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Dirty SKUs, longest-waiting first.
pub(crate) fn list_dirty(conn: &Connection, limit: u32) -> Result<Vec<DirtySku>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT sku, shop_quantity, revision, dirty_since FROM sku_ledger
         WHERE dirty = 1 ORDER BY dirty_since, sku LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |row| {
        Ok(DirtySku {
            sku: row.get(0)?,
            shop_quantity: row.get(1)?,
            revision: row.get(2)?,
            dirty_since: from_ms(row.get::<_, Option<i64>>(3)?.unwrap_or(0)),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// WooCommerce's stock for `sku` changed: record it and mark the SKU dirty. Returns its revision.
    pub fn set_shop_quantity(&self, sku: &str, quantity: i64) -> Result<i64, StoreError> {
        set_shop_quantity(&self.conn, sku, quantity, self.now_ms())
    }

    /// `quantity` for `sku` was pushed in `import_id`; clears dirty if still at `revision`.
    pub fn record_sku_push(
        &self,
        sku: &str,
        revision: i64,
        quantity: i64,
        import_id: Option<&str>,
    ) -> Result<bool, StoreError> {
        record_push(
            &self.conn,
            sku,
            revision,
            quantity,
            import_id,
            self.now_ms(),
        )
    }

    /// The last push of `sku` failed with `message`; it stays dirty.
    pub fn record_sku_push_error(&self, sku: &str, message: &str) -> Result<(), StoreError> {
        record_push_error(&self.conn, sku, message, self.now_ms())
    }

    /// Mirakl reported `quantity` for `sku` at `seen_at`.
    /// [`Store::record_sku_push`] for a whole push in one transaction: one commit instead of
    /// one per SKU (10,000 commits would take a tick past its budget). SKUs missing from the
    /// ledger are skipped.
    pub fn record_sku_pushes(
        &self,
        pushes: &[SkuPush<'_>],
        import_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        super::immediate(&self.conn, |conn| {
            for push in pushes {
                match record_push(conn, push.sku, push.revision, push.quantity, import_id, now) {
                    Ok(_) | Err(StoreError::NotFound { .. }) => {}
                    Err(error) => return Err(error),
                }
            }
            Ok(())
        })
    }

    /// [`Store::record_marketplace_quantity`] for many SKUs in one transaction.
    pub fn record_marketplace_quantities(
        &self,
        quantities: &[(String, i64)],
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        let seen_at = seen_at.timestamp_millis();
        super::immediate(&self.conn, |conn| {
            for (sku, quantity) in quantities {
                record_marketplace_quantity(conn, sku, *quantity, seen_at, now)?;
            }
            Ok(())
        })
    }

    pub fn record_marketplace_quantity(
        &self,
        sku: &str,
        quantity: i64,
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        record_marketplace_quantity(
            &self.conn,
            sku,
            quantity,
            seen_at.timestamp_millis(),
            self.now_ms(),
        )
    }

    pub fn sku_ledger(&self, sku: &str) -> Result<Option<SkuLedgerEntry>, StoreError> {
        get(&self.conn, sku)
    }

    pub fn list_sku_ledger(
        &self,
        after_sku: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SkuLedgerEntry>, StoreError> {
        list(&self.conn, after_sku, limit)
    }

    pub fn list_dirty_skus(&self, limit: u32) -> Result<Vec<DirtySku>, StoreError> {
        list_dirty(&self.conn, limit)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::store;
    use chrono::Duration;

    #[test]
    fn a_quantity_change_marks_the_sku_dirty_and_keeps_the_first_dirty_time() {
        let (store, clock) = store();
        let first = clock.now();
        assert_eq!(store.set_shop_quantity("A", 5).unwrap(), 1);
        clock.advance(Duration::seconds(10));
        assert_eq!(store.set_shop_quantity("A", 4).unwrap(), 2);
        let entry = store.sku_ledger("A").unwrap().unwrap();
        assert!(entry.dirty);
        assert_eq!(entry.shop_quantity, Some(4));
        assert_eq!(entry.dirty_since, Some(first));
        let dirty = store.list_dirty_skus(10).unwrap();
        assert_eq!(dirty.len(), 1);
        assert_eq!((dirty[0].revision, dirty[0].shop_quantity), (2, Some(4)));
    }

    #[test]
    fn a_push_clears_dirty_only_for_the_revision_it_read() {
        let (store, _clock) = store();
        let revision = store.set_shop_quantity("A", 5).unwrap();
        // The quantity changes while the push is in flight: the newer value must go out next.
        store.set_shop_quantity("A", 3).unwrap();
        assert!(!store
            .record_sku_push("A", revision, 5, Some("imp-1"))
            .unwrap());
        let entry = store.sku_ledger("A").unwrap().unwrap();
        assert!(entry.dirty);
        assert_eq!(entry.last_pushed_quantity, Some(5));
        assert_eq!(entry.import_id.as_deref(), Some("imp-1"));

        let current = store.list_dirty_skus(10).unwrap()[0].revision;
        assert!(store
            .record_sku_push("A", current, 3, Some("imp-2"))
            .unwrap());
        let entry = store.sku_ledger("A").unwrap().unwrap();
        assert!(!entry.dirty);
        assert_eq!(entry.dirty_since, None);
        assert!(store.list_dirty_skus(10).unwrap().is_empty());
    }

    #[test]
    fn push_errors_and_marketplace_quantities_are_recorded() {
        let (store, clock) = store();
        store.set_shop_quantity("A", 5).unwrap();
        store
            .record_sku_push_error("A", "STO02: unknown offer")
            .unwrap();
        let seen = clock.now() - Duration::minutes(1);
        store.record_marketplace_quantity("A", 7, seen).unwrap();
        store.record_marketplace_quantity("B", 2, seen).unwrap();
        let a = store.sku_ledger("A").unwrap().unwrap();
        assert_eq!(a.last_error.as_deref(), Some("STO02: unknown offer"));
        assert!(a.dirty);
        assert_eq!(
            (a.marketplace_quantity, a.marketplace_seen_at),
            (Some(7), Some(seen))
        );
        let b = store.sku_ledger("B").unwrap().unwrap();
        assert!(!b.dirty);
        assert_eq!(b.shop_quantity, None);
        // A push clears the previous error.
        store.record_sku_push("A", 1, 5, None).unwrap();
        assert_eq!(store.sku_ledger("A").unwrap().unwrap().last_error, None);
    }

    #[test]
    fn unknown_skus_are_reported_not_created_by_push_bookkeeping() {
        let (store, _clock) = store();
        assert!(store.record_sku_push("nope", 1, 1, None).is_err());
        assert!(store.record_sku_push_error("nope", "x").is_err());
        assert_eq!(store.sku_ledger("nope").unwrap(), None);
    }

    #[test]
    fn the_ledger_pages_in_sku_order() {
        let (store, _clock) = store();
        for sku in ["c", "a", "b", "d"] {
            store.set_shop_quantity(sku, 1).unwrap();
        }
        let first: Vec<_> = store.list_sku_ledger(None, 2).unwrap();
        assert_eq!(
            first.iter().map(|e| e.sku.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let next = store.list_sku_ledger(Some("b"), 10).unwrap();
        assert_eq!(
            next.iter().map(|e| e.sku.as_str()).collect::<Vec<_>>(),
            ["c", "d"]
        );
    }

    #[test]
    fn a_batch_push_records_every_sku_in_one_go_and_skips_unknown_ones() {
        let (store, clock) = store();
        let a = store.set_shop_quantity("A", 5).unwrap();
        let b = store.set_shop_quantity("B", 7).unwrap();
        // B changes again after it was read for the push: it must stay dirty.
        store.set_shop_quantity("B", 6).unwrap();
        let pushes = [
            super::SkuPush {
                sku: "A",
                revision: a,
                quantity: 5,
            },
            super::SkuPush {
                sku: "B",
                revision: b,
                quantity: 7,
            },
            super::SkuPush {
                sku: "NEVER-SEEN",
                revision: 1,
                quantity: 3,
            },
        ];
        store.record_sku_pushes(&pushes, Some("imp-9")).unwrap();
        let a = store.sku_ledger("A").unwrap().unwrap();
        assert_eq!(
            (a.last_pushed_quantity, a.dirty, a.import_id.as_deref()),
            (Some(5), false, Some("imp-9"))
        );
        let b = store.sku_ledger("B").unwrap().unwrap();
        assert_eq!((b.last_pushed_quantity, b.dirty), (Some(7), true));
        assert!(store.sku_ledger("NEVER-SEEN").unwrap().is_none());

        store
            .record_marketplace_quantities(&[("A".to_owned(), 4), ("C".to_owned(), 2)], clock.now())
            .unwrap();
        assert_eq!(
            store.sku_ledger("A").unwrap().unwrap().marketplace_quantity,
            Some(4)
        );
        assert_eq!(
            store.sku_ledger("C").unwrap().unwrap().marketplace_quantity,
            Some(2)
        );
    }
}
