//! What the shop reports, turned into durable work. Each function only writes to the store
//! (cheap enough for a shopper's request) and is idempotent on the business identity: the SKU,
//! the shop order id, the shop refund id. Nothing here calls Mirakl or the shop.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::store::{NewJob, Store};

use super::error::SyncError;
use super::jobs::{offers::EXPORT_KEY, priority, stock, JobKind};
use super::settings::SyncSettings;
use super::shop::{ShopOrderId, ShopRefundId};

/// A SKU's new stock, as the shop read it when it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChange {
    pub sku: String,
    /// The shop's stock now. The push reads the shop again before sending; this value only
    /// decides whether the change is urgent (crossing zero or the low-stock threshold).
    pub quantity: i64,
}

/// Stock changed for these SKUs: mark them dirty (coalesced, last write wins) and make the
/// push due in the next slot or within the push interval.
pub fn stock_changed(
    store: &Store,
    settings: &SyncSettings,
    changes: &[StockChange],
    now: DateTime<Utc>,
) -> Result<(), SyncError> {
    if changes.iter().any(|c| c.sku.trim().is_empty()) {
        return Err(SyncError::InvalidArgument(
            "a stock change without a SKU".to_owned(),
        ));
    }
    let mut urgent = false;
    for change in changes {
        urgent |= stock::mark_dirty(store, settings, &change.sku, change.quantity)?;
    }
    if !changes.is_empty() {
        stock::schedule_push(store, settings, urgent, now)?;
    }
    Ok(())
}

/// Price, title or identifiers changed for these SKUs: their offers are exported in the next
/// OF01 slot.
pub fn product_changed(store: &Store, skus: &[String]) -> Result<(), SyncError> {
    for sku in skus {
        if sku.trim().is_empty() {
            return Err(SyncError::InvalidArgument(
                "a product change without a SKU".to_owned(),
            ));
        }
        store.enqueue(&NewJob::new(JobKind::OfferDirty, sku.clone(), json!({})))?;
    }
    if !skus.is_empty() {
        store.enqueue(
            &NewJob::new(JobKind::ExportOffers, EXPORT_KEY, json!({})).priority(priority::OFFERS),
        )?;
    }
    Ok(())
}

/// Exports the whole catalogue (products without a SKU and duplicate SKUs are reported).
pub fn catalogue_export_requested(store: &Store) -> Result<(), SyncError> {
    store.enqueue(
        &NewJob::new(JobKind::ExportOffers, EXPORT_KEY, json!({ "full": true }))
            .priority(priority::OFFERS),
    )?;
    Ok(())
}

/// A shop order was shipped or got its tracking: send it to Mirakl (if it is a Mirakl order).
pub fn order_shipped(store: &Store, wc_order_id: ShopOrderId) -> Result<(), SyncError> {
    store.enqueue(
        &NewJob::new(
            JobKind::ShipOrder,
            wc_order_id.to_string(),
            json!({ "wc_order_id": wc_order_id }),
        )
        .priority(priority::SHIP_OR_REFUND),
    )?;
    Ok(())
}

/// A refund was made in the shop: send it to Mirakl once (if it is on a Mirakl order and did
/// not come from Mirakl).
pub fn refund_created(store: &Store, wc_refund_id: ShopRefundId) -> Result<(), SyncError> {
    store.enqueue(
        &NewJob::new(
            JobKind::RefundOrder,
            wc_refund_id.to_string(),
            json!({ "wc_refund_id": wc_refund_id }),
        )
        .priority(priority::SHIP_OR_REFUND)
        .keep_existing(),
    )?;
    Ok(())
}

/// Runs a stock reconciliation now (`full`: every offer, else the changes since the last one).
pub fn reconcile_requested(store: &Store, full: bool) -> Result<(), SyncError> {
    store.enqueue(
        &NewJob::new(JobKind::ReconcileStock, "stock", json!({ "full": full }))
            .priority(priority::HOUSEKEEPING),
    )?;
    Ok(())
}
