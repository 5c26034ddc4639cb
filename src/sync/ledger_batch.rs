//! Stopgap until the store offers batch writes: records the outcome of a 10,000-SKU push in one
//! transaction instead of 10,000 commits (about 40 µs each on a file-backed store, which alone
//! would take the tick past its 100 ms budget). It opens a second connection on the store's file
//! and runs the same statements as `Store::record_sku_push` / `record_marketplace_quantity`;
//! an in-memory store (tests) goes row by row through the store. To be replaced by
//! `Store::record_sku_pushes` / `record_marketplace_quantities` when the store has them.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags};

use crate::store::{Store, StoreError, BUSY_TIMEOUT};

/// A SKU pushed at `revision` with `quantity`.
pub(crate) struct Pushed<'a> {
    pub sku: &'a str,
    pub revision: i64,
    pub quantity: i64,
}

fn side_connection(store: &Store) -> Result<Option<Connection>, StoreError> {
    let Some(path) = store.path() else {
        return Ok(None);
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(Some(conn))
}

/// `Store::record_sku_push` for many SKUs at once (a SKU changed since its revision stays dirty).
pub(crate) fn record_pushes(
    store: &Store,
    pushed: &[Pushed<'_>],
    import_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(conn) = side_connection(store)? else {
        for p in pushed {
            store.record_sku_push(p.sku, p.revision, p.quantity, Some(import_id))?;
        }
        return Ok(());
    };
    let now = now.timestamp_millis();
    crate::store::immediate(&conn, |conn| -> Result<(), StoreError> {
        let mut update = conn.prepare(
            "UPDATE sku_ledger SET
                last_pushed_quantity = ?3, last_pushed_at = ?5, import_id = ?4, last_error = NULL,
                dirty       = CASE WHEN revision = ?2 THEN 0 ELSE dirty END,
                dirty_since = CASE WHEN revision = ?2 THEN NULL ELSE dirty_since END,
                updated_at  = ?5
             WHERE sku = ?1",
        )?;
        for p in pushed {
            update.execute(params![p.sku, p.revision, p.quantity, import_id, now])?;
        }
        Ok(())
    })
}

/// `Store::record_marketplace_quantity` for many SKUs at once.
pub(crate) fn record_marketplace_quantities(
    store: &Store,
    quantities: &[(String, i64)],
    seen_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(conn) = side_connection(store)? else {
        for (sku, quantity) in quantities {
            store.record_marketplace_quantity(sku, *quantity, seen_at)?;
        }
        return Ok(());
    };
    let seen = seen_at.timestamp_millis();
    crate::store::immediate(&conn, |conn| -> Result<(), StoreError> {
        let mut upsert = conn.prepare(
            "INSERT INTO sku_ledger (sku, marketplace_quantity, marketplace_seen_at, updated_at)
             VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (sku) DO UPDATE SET
                marketplace_quantity = excluded.marketplace_quantity,
                marketplace_seen_at  = excluded.marketplace_seen_at,
                updated_at           = excluded.updated_at",
        )?;
        for (sku, quantity) in quantities {
            upsert.execute(params![sku, quantity, seen])?;
        }
        Ok(())
    })
}
