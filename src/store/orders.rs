//! The orders map: one row per Mirakl order, keyed by its id (so an order can never be imported
//! twice), pointing at the WooCommerce order made for it, with its state and deadlines.
//! A known WooCommerce order id or deadline is never erased by a later, less informed update.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{from_ms, opt_from_ms, Store, StoreError};

/// A Mirakl order and the WooCommerce order made for it. `created_at`/`updated_at` are set by
/// the store; the values passed to an upsert are ignored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrderMapping {
    pub mirakl_order_id: String,
    pub wc_order_id: Option<i64>,
    /// Mirakl's `order_state` as last seen (e.g. `WAITING_ACCEPTANCE`).
    pub state: String,
    pub acceptance_deadline: Option<DateTime<Utc>>,
    pub shipping_deadline: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrderMapping {
    pub fn new(mirakl_order_id: impl Into<String>, state: impl Into<String>) -> OrderMapping {
        OrderMapping {
            mirakl_order_id: mirakl_order_id.into(),
            wc_order_id: None,
            state: state.into(),
            acceptance_deadline: None,
            shipping_deadline: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }
}

const ORDER_COLUMNS: &str = "mirakl_order_id, wc_order_id, state, acceptance_deadline, \
    shipping_deadline, created_at, updated_at";

fn order_from_row(row: &Row<'_>) -> rusqlite::Result<OrderMapping> {
    Ok(OrderMapping {
        mirakl_order_id: row.get(0)?,
        wc_order_id: row.get(1)?,
        state: row.get(2)?,
        acceptance_deadline: opt_from_ms(row.get(3)?),
        shipping_deadline: opt_from_ms(row.get(4)?),
        created_at: from_ms(row.get(5)?),
        updated_at: from_ms(row.get(6)?),
    })
}

/// Inserts or updates the mapping for `order.mirakl_order_id`; returns the stored row.
pub(crate) fn upsert(
    conn: &Connection,
    order: &OrderMapping,
    now: i64,
) -> Result<OrderMapping, StoreError> {
    let sql = format!(
        "INSERT INTO orders_map (mirakl_order_id, wc_order_id, state, acceptance_deadline,
                                 shipping_deadline, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (mirakl_order_id) DO UPDATE SET
            wc_order_id         = coalesce(excluded.wc_order_id, wc_order_id),
            state               = excluded.state,
            acceptance_deadline = coalesce(excluded.acceptance_deadline, acceptance_deadline),
            shipping_deadline   = coalesce(excluded.shipping_deadline, shipping_deadline),
            updated_at          = excluded.updated_at
         RETURNING {ORDER_COLUMNS}"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            order.mirakl_order_id,
            order.wc_order_id,
            order.state,
            order.acceptance_deadline.map(|t| t.timestamp_millis()),
            order.shipping_deadline.map(|t| t.timestamp_millis()),
            now
        ],
        order_from_row,
    )?)
}

pub(crate) fn get(
    conn: &Connection,
    mirakl_order_id: &str,
) -> Result<Option<OrderMapping>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders_map WHERE mirakl_order_id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([mirakl_order_id], order_from_row)
        .optional()?)
}

pub(crate) fn get_by_wc(
    conn: &Connection,
    wc_order_id: i64,
) -> Result<Option<OrderMapping>, StoreError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders_map WHERE wc_order_id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([wc_order_id], order_from_row)
        .optional()?)
}

/// Orders (in `state` when given), most recently updated first.
pub(crate) fn list(
    conn: &Connection,
    state: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<Vec<OrderMapping>, StoreError> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders_map WHERE (?1 IS NULL OR state = ?1)
         ORDER BY updated_at DESC, mirakl_order_id LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![state, limit, offset], order_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Orders in one of `states` updated at or after `since` (ms), oldest update first.
pub(crate) fn list_in_states_since(
    conn: &Connection,
    states: &[&str],
    since: i64,
    limit: u32,
) -> Result<Vec<OrderMapping>, StoreError> {
    let states = serde_json::to_string(states)
        .map_err(|e| StoreError::Data(format!("order states: {e}")))?;
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders_map
         WHERE state IN (SELECT value FROM json_each(?1)) AND updated_at >= ?2
         ORDER BY updated_at, mirakl_order_id LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![states, since, limit], order_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Records (or updates) a Mirakl order's mapping; returns the stored row.
    pub fn upsert_order(&self, order: &OrderMapping) -> Result<OrderMapping, StoreError> {
        upsert(&self.conn, order, self.now_ms())
    }

    /// Orders in one of `states` whose row changed at or after `since`, oldest change first.
    pub fn orders_in_states_since(
        &self,
        states: &[&str],
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OrderMapping>, StoreError> {
        list_in_states_since(&self.conn, states, since.timestamp_millis(), limit)
    }

    pub fn order(&self, mirakl_order_id: &str) -> Result<Option<OrderMapping>, StoreError> {
        get(&self.conn, mirakl_order_id)
    }

    pub fn order_by_wc_id(&self, wc_order_id: i64) -> Result<Option<OrderMapping>, StoreError> {
        get_by_wc(&self.conn, wc_order_id)
    }

    pub fn list_orders(
        &self,
        state: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<OrderMapping>, StoreError> {
        list(&self.conn, state, limit, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;
    use chrono::Duration;

    #[test]
    fn an_order_is_recorded_once_and_later_updates_keep_what_is_known() {
        let (store, clock) = store();
        let deadline = clock.now() + Duration::days(3);
        let mut order = OrderMapping::new("M-1", "WAITING_ACCEPTANCE");
        order.acceptance_deadline = Some(deadline);
        let first = store.upsert_order(&order).unwrap();
        assert_eq!(first.wc_order_id, None);

        clock.advance(Duration::minutes(1));
        let mut created = OrderMapping::new("M-1", "WAITING_ACCEPTANCE");
        created.wc_order_id = Some(42);
        store.upsert_order(&created).unwrap();

        clock.advance(Duration::minutes(1));
        let shipped = store
            .upsert_order(&OrderMapping::new("M-1", "SHIPPING"))
            .unwrap();
        assert_eq!(shipped.wc_order_id, Some(42));
        assert_eq!(shipped.acceptance_deadline, Some(deadline));
        assert_eq!(shipped.state, "SHIPPING");
        assert_eq!(shipped.created_at, first.created_at);
        assert!(shipped.updated_at > first.updated_at);

        assert_eq!(
            store.order_by_wc_id(42).unwrap().unwrap().mirakl_order_id,
            "M-1"
        );
        assert_eq!(store.list_orders(None, 10, 0).unwrap().len(), 1);
    }

    #[test]
    fn one_woocommerce_order_cannot_serve_two_mirakl_orders() {
        let (store, _clock) = store();
        let mut a = OrderMapping::new("M-1", "SHIPPING");
        a.wc_order_id = Some(7);
        store.upsert_order(&a).unwrap();
        let mut b = OrderMapping::new("M-2", "SHIPPING");
        b.wc_order_id = Some(7);
        assert!(store.upsert_order(&b).is_err());
    }

    #[test]
    fn orders_list_by_state() {
        let (store, clock) = store();
        store
            .upsert_order(&OrderMapping::new("M-1", "SHIPPING"))
            .unwrap();
        clock.advance(Duration::seconds(1));
        store
            .upsert_order(&OrderMapping::new("M-2", "WAITING_ACCEPTANCE"))
            .unwrap();
        clock.advance(Duration::seconds(1));
        store
            .upsert_order(&OrderMapping::new("M-3", "SHIPPING"))
            .unwrap();
        let shipping = store.list_orders(Some("SHIPPING"), 10, 0).unwrap();
        let ids: Vec<_> = shipping
            .iter()
            .map(|o| o.mirakl_order_id.as_str())
            .collect();
        assert_eq!(ids, ["M-3", "M-1"]);
        assert_eq!(store.order("M-9").unwrap(), None);
    }
}
