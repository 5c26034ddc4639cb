//! Stock: dirty SKUs coalesce in the SKU ledger and go out in one STO01 per allowed slot; STO02
//! then marks each SKU pushed or failed; a reconciliation compares the shop, the ledger and
//! Mirakl's own quantity (OF51) and queues drift for the next push.
//!
//! Invariants: every quantity sent was read from the shop in the same job (never a default, never
//! a cached number); a SKU stays dirty until a push of its current revision succeeds; a SKU that
//! crosses zero or the low-stock threshold makes the push due in the next slot.

use crate::vocab::{EntityType, ProblemKind};
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::mirakl::model::ImportStatus;
use crate::mirakl::offers::{self as mirakl_offers, OfferExportQuery};
use crate::mirakl::stock::StockLine;
use crate::mirakl::{ApiCode, CallBudget, Transport};
use crate::store::{JobState, NewJob, NewProblem, Severity, SkuPush, Store, StoreError};

use super::super::settings::SyncSettings;
use super::{
    import_still_running, marketplace_quantity, pending_marketplace_units, priority, Ctx, JobKind,
    JobResult, MiraklImport, Outcome,
};

/// The single push job's key: one STO01 holds every dirty SKU.
pub const PUSH_KEY: &str = "stock";
/// How many SKUs one shop read asks for.
const SHOP_BATCH: usize = 1000;
/// STO02 may be called once every 15 seconds.
const STO02_SPACING_SECS: i64 = 15;
/// A stock import still not final after this long is reported and dropped (the SKUs are
/// reconciled later).
const IMPORT_GIVE_UP_HOURS: i64 = 2;
/// A SKU pushed this recently may not be applied by Mirakl yet: reconciliation leaves it alone.
const IN_FLIGHT_MINUTES: i64 = 10;
const RECONCILE_CURSOR: &str = "stock.reconciled_at";
const RECONCILE_FULL_CURSOR: &str = "stock.full_reconciled_at";

/// Whether moving from `pushed` to `next` on the marketplace crosses zero or the threshold.
pub(crate) fn crosses(settings: &SyncSettings, pushed: Option<i64>, next: i64) -> bool {
    let Some(pushed) = pushed else {
        // Never pushed: only an empty SKU is urgent (the marketplace may be selling it).
        return next == 0;
    };
    let threshold = settings.low_stock_threshold;
    (pushed == 0) != (next == 0) || (pushed <= threshold) != (next <= threshold)
}

/// Records a quantity read from the shop, marks the SKU dirty and makes the push due: in the
/// next slot when it crosses zero or the threshold, else within the push interval.
pub(crate) fn note_shop_quantity(
    store: &Store,
    settings: &SyncSettings,
    sku: &str,
    quantity: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let urgent = mark_dirty(store, settings, sku, quantity)?;
    schedule_push(store, settings, urgent, now)
}

/// Records a quantity read from the shop and marks the SKU dirty; returns whether the change
/// crosses zero or the low-stock threshold (the caller schedules the push once per batch).
pub(crate) fn mark_dirty(
    store: &Store,
    settings: &SyncSettings,
    sku: &str,
    quantity: i64,
) -> Result<bool, StoreError> {
    let pushed = store.sku_ledger(sku)?.and_then(|e| e.last_pushed_quantity);
    store.set_shop_quantity(sku, quantity)?;
    let next = i64::try_from(marketplace_quantity(settings, quantity, 0)).unwrap_or(i64::MAX);
    Ok(crosses(settings, pushed, next))
}

/// Makes the push job due at the earlier of its current time and what this change needs.
pub(crate) fn schedule_push(
    store: &Store,
    settings: &SyncSettings,
    urgent: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let wanted = if urgent {
        now
    } else {
        now + Duration::seconds(settings.stock_push_interval_secs)
    };
    if let Some(job) = store.find_job(JobKind::PushStock.as_str(), PUSH_KEY)? {
        if job.state == JobState::Pending && job.run_at <= wanted {
            return Ok(());
        }
    }
    store.enqueue(
        &NewJob::new(JobKind::PushStock, PUSH_KEY, json!({}))
            .priority(priority::STOCK)
            .run_at(wanted),
    )?;
    Ok(())
}

/// Reads the shop's stock of `skus` in batches.
fn read_shop_stock<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    skus: &[String],
) -> Result<HashMap<String, Option<i64>>, super::JobError> {
    let mut levels = HashMap::with_capacity(skus.len());
    for chunk in skus.chunks(SHOP_BATCH) {
        for level in ctx.shop.read_stock(chunk)? {
            levels.insert(level.sku, level.quantity);
        }
    }
    Ok(levels)
}

/// One STO01 with every dirty SKU, quantities read from the shop now.
pub(crate) fn push<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let dirty = ctx.store.list_dirty_skus(u32::MAX)?;
    if dirty.is_empty() {
        return Ok(Outcome::Done("nothing_dirty"));
    }
    let skus: Vec<String> = dirty.iter().map(|d| d.sku.clone()).collect();
    let levels = read_shop_stock(ctx, &skus)?;
    drop(skus);
    let pending = pending_marketplace_units(ctx.store)?;
    let mut lines = Vec::with_capacity(dirty.len());
    let mut revisions = Vec::with_capacity(dirty.len());
    let mut unknown = Vec::new();
    for entry in &dirty {
        match levels.get(&entry.sku) {
            Some(Some(shop_quantity)) => {
                let pending_units = pending.get(&entry.sku).copied().unwrap_or(0);
                let quantity = marketplace_quantity(ctx.settings, *shop_quantity, pending_units);
                lines.push(StockLine::new(entry.sku.clone(), quantity));
                revisions.push(entry.revision);
            }
            // Not managed by the shop: there is no number to send.
            Some(None) => {}
            None => unknown.push(entry.sku.clone()),
        }
    }
    drop(levels);
    for sku in &unknown {
        ctx.store
            .record_sku_push_error(sku, "the shop has no product with this SKU")?;
    }
    if !unknown.is_empty() {
        let sample: Vec<&str> = unknown.iter().take(20).map(String::as_str).collect();
        ctx.raise(
            NewProblem::new(
                ProblemKind::StockSkuUnknown,
                EntityType::Stock,
                "push",
                format!(
                    "{} SKU(s) changed but are not in the shop, so their stock was not sent: {}",
                    unknown.len(),
                    sample.join(", ")
                ),
            )
            .severity(Severity::Warning)
            .hint("Check the SKUs of these products in WooCommerce."),
        )?;
    }
    if lines.is_empty() {
        return Ok(Outcome::Done("nothing_to_send"));
    }
    let import = ctx.mirakl(ApiCode::STO01, |c| c.stock().import(&lines))?;
    let mut sent = Vec::with_capacity(lines.len());
    let mut pushed = Vec::with_capacity(lines.len());
    for (line, revision) in lines.iter().zip(&revisions) {
        let quantity = i64::try_from(line.quantity).unwrap_or(i64::MAX);
        pushed.push(SkuPush {
            sku: &line.offer_sku,
            revision: *revision,
            quantity,
        });
        sent.push(json!([line.offer_sku, quantity]));
    }
    let now = ctx.now();
    ctx.store
        .record_sku_pushes(&pushed, Some(&import.import_id))?;
    ctx.store.enqueue(
        &NewJob::new(
            JobKind::PollStockImport,
            import.import_id.clone(),
            json!({ "import_id": import.import_id, "skus": sent }),
        )
        .priority(priority::STOCK)
        .run_at(now + Duration::seconds(STO02_SPACING_SECS)),
    )?;
    Ok(Outcome::Done("pushed"))
}

/// STO02 until the import is final; then each SKU is marked pushed or failed.
pub(crate) fn poll_import<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let payload = ctx.job.payload.clone();
    let import_id = payload
        .get("import_id")
        .and_then(Value::as_str)
        .unwrap_or(&ctx.job.key)
        .to_owned();
    let skus: Vec<(String, i64)> = payload
        .get("skus")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair.get(0)?.as_str()?.to_owned(), pair.get(1)?.as_i64()?)))
        .collect();
    let status = ctx.mirakl(ApiCode::STO02, |c| c.stock().import_status(&import_id))?;
    let now = ctx.now();
    if !status.status.is_final() {
        return import_still_running(
            ctx,
            MiraklImport::Stock,
            &import_id,
            status.status.as_str(),
            Duration::seconds(STO02_SPACING_SECS),
            Duration::hours(IMPORT_GIVE_UP_HOURS),
        );
    }
    let errors = status.lines_in_error.unwrap_or(0);
    if status.status == ImportStatus::Complete && errors == 0 {
        ctx.store.record_marketplace_quantities(&skus, now)?;
        return Ok(Outcome::Done("complete"));
    }
    // STO01 has no error report: Mirakl does not say which rows failed, so every SKU of the
    // import is pushed again in the next slot and reported.
    let message = format!(
        "stock import {import_id} ended {} with {errors} line(s) in error",
        status.status
    );
    for (sku, quantity) in &skus {
        ctx.store.record_sku_push_error(sku, &message)?;
        let shop_quantity = ctx
            .store
            .sku_ledger(sku)?
            .and_then(|e| e.shop_quantity)
            .unwrap_or(*quantity);
        ctx.store.set_shop_quantity(sku, shop_quantity)?;
    }
    if skus.len() <= 50 {
        for (sku, _) in &skus {
            ctx.raise(
                NewProblem::new(
                    ProblemKind::StockPushFailed,
                    EntityType::Sku,
                    sku.clone(),
                    message.clone(),
                )
                .severity(Severity::Warning),
            )?;
        }
    } else {
        ctx.raise(
            NewProblem::new(
                ProblemKind::StockPushFailed,
                EntityType::StockImport,
                import_id,
                message,
            )
            .severity(Severity::Warning)
            .details(json!({ "skus": skus.len() })),
        )?;
    }
    schedule_push(ctx.store, ctx.settings, true, now)?;
    Ok(Outcome::Done("failed"))
}

/// OF51 (a delta, or a full export once a day) against the shop: drift is queued for a push.
pub(crate) fn reconcile<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let now = ctx.now();
    let parse_time = |value: Option<crate::store::Cursor>| {
        value
            .and_then(|c| DateTime::parse_from_rfc3339(&c.value).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    let last_full = parse_time(ctx.store.cursor(RECONCILE_FULL_CURSOR)?);
    let last_delta = parse_time(ctx.store.cursor(RECONCILE_CURSOR)?);
    let full = ctx.job.payload.get("full").and_then(Value::as_bool) == Some(true)
        || last_full.map_or(true, |t| t < now - Duration::days(1));
    let query = OfferExportQuery {
        last_request_date: if full { None } else { last_delta.or(last_full) },
        ..OfferExportQuery::default()
    };
    let body = ctx.mirakl(ApiCode::OF51, |c| {
        c.send_bytes(mirakl_offers::export(&query))
    })?;
    let offers = parse_export_quantities(&body).map_err(|e| {
        super::JobError::Mirakl(crate::mirakl::MiraklError::Decode {
            api: ApiCode::OF51,
            message: e,
        })
    })?;
    drop(body);
    let pending = pending_marketplace_units(ctx.store)?;
    let in_flight_since = now - Duration::minutes(IN_FLIGHT_MINUTES);
    let mut repaired: u32 = 0;
    let mut sample: Vec<String> = Vec::new();
    for chunk in offers.chunks(SHOP_BATCH) {
        let skus: Vec<String> = chunk.iter().map(|(sku, _)| sku.clone()).collect();
        let levels = read_shop_stock(ctx, &skus)?;
        for (sku, marketplace) in chunk {
            let ledger = ctx.store.sku_ledger(sku)?;
            let in_flight = ledger
                .as_ref()
                .is_some_and(|e| e.dirty || e.last_pushed_at.is_some_and(|t| t > in_flight_since));
            if ledger.is_some() {
                ctx.store
                    .record_marketplace_quantity(sku, *marketplace, now)?;
            }
            let Some(Some(shop_quantity)) = levels.get(sku) else {
                continue;
            };
            if in_flight {
                continue;
            }
            let pending_units = pending.get(sku).copied().unwrap_or(0);
            let expected = marketplace_quantity(ctx.settings, *shop_quantity, pending_units);
            if i64::try_from(expected).ok() != Some(*marketplace) {
                ctx.store.set_shop_quantity(sku, *shop_quantity)?;
                repaired += 1;
                if sample.len() < 20 {
                    sample.push(format!("{sku}: marketplace {marketplace}, shop {expected}"));
                }
            }
        }
    }
    // Mirakl compares `last_request_date` with its own clock: reach back a little.
    let stamp = (now - Duration::minutes(1)).to_rfc3339();
    ctx.store.set_cursor(RECONCILE_CURSOR, &stamp)?;
    if full {
        ctx.store.set_cursor(RECONCILE_FULL_CURSOR, &stamp)?;
    }
    ctx.report.stock_repaired += repaired;
    if repaired > 0 {
        ctx.raise(
            NewProblem::new(
                ProblemKind::StockDrift,
                EntityType::Stock,
                "reconcile",
                format!(
                    "{repaired} SKU(s) had a different stock on the marketplace; queued for a push: {}",
                    sample.join("; ")
                ),
            )
            .severity(Severity::Warning),
        )?;
        schedule_push(ctx.store, ctx.settings, true, now)?;
    }
    Ok(Outcome::Done(if full { "full" } else { "delta" }))
}

/// `(shop-sku, quantity)` of every live offer in an OF51 CSV, read row by row so a 100,000-offer
/// export never exists twice in memory.
pub(crate) fn parse_export_quantities(body: &[u8]) -> Result<Vec<(String, i64)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(body);
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let sku_column = column("shop-sku").ok_or("OF51 export without a shop-sku column")?;
    let quantity_column = column("quantity").ok_or("OF51 export without a quantity column")?;
    let deleted_column = column("deleted");
    let mut offers = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| e.to_string())? {
        let deleted = deleted_column
            .and_then(|c| record.get(c))
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let sku = record.get(sku_column).map(str::trim).unwrap_or("");
        let quantity = record
            .get(quantity_column)
            .and_then(|v| v.trim().parse::<i64>().ok());
        if deleted || sku.is_empty() {
            continue;
        }
        if let Some(quantity) = quantity {
            offers.push((sku.to_owned(), quantity));
        }
    }
    Ok(offers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_zero_or_the_threshold_is_urgent() {
        let settings = SyncSettings {
            low_stock_threshold: 3,
            ..SyncSettings::default()
        };
        assert!(crosses(&settings, Some(5), 0));
        assert!(crosses(&settings, Some(5), 3));
        assert!(crosses(&settings, Some(0), 10));
        assert!(!crosses(&settings, Some(10), 7));
        assert!(!crosses(&settings, Some(2), 1));
        assert!(crosses(&settings, None, 0));
        assert!(!crosses(&settings, None, 9));
    }

    #[test]
    fn the_export_is_read_by_header_name() {
        let csv = b"\"offer-id\";\"shop-sku\";\"quantity\";\"deleted\"\n\"1\";\"A\";\"4\";\"false\"\n\"2\";\"B\";\"7\";\"true\"\n";
        assert_eq!(
            parse_export_quantities(csv).unwrap(),
            vec![("A".to_owned(), 4)]
        );
    }
}
