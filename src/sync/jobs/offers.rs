//! Offers: products whose price, title or identifiers changed are exported with one OF01 (NORMAL
//! mode, full rows, product id and type from settings); OF02 then OF03 map the results back per
//! SKU. Changed SKUs wait as `offer_dirty` marker jobs so no change is lost between exports.
//!
//! Invariants: a product without a SKU, or a SKU used by several products, is reported and never
//! sent; a row's quantity is read from the shop in the same job (OF01 NORMAL writes every column,
//! and a blank quantity would zero the offer).

use crate::vocab::{EntityType, ProblemKind};
use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use chrono::Duration;
use serde_json::{json, Value};

use crate::mirakl::offers::{ImportMode, OfferImportOptions, OfferLine};
use crate::mirakl::stock::UpdateDelete;
use crate::mirakl::{ApiCode, CallBudget, Transport};
use crate::store::{NewJob, NewProblem, Severity};

use super::super::shop::ProductOffer;
use super::{
    import_still_running, marketplace_quantity, pending_marketplace_units, priority, Ctx, JobError,
    JobKind, JobResult, MiraklImport, Outcome,
};

pub const EXPORT_KEY: &str = "offers";
/// Changed SKUs taken into one OF01.
const MAX_MARKERS: u32 = 10_000;
/// Catalogue page size for a full export.
const CATALOGUE_PAGE: usize = 500;
/// An offer import still not final after this long is reported and dropped.
const IMPORT_GIVE_UP_HOURS: i64 = 6;
/// The offer condition sent for every row (Mirakl's "new").
const NEW_CONDITION: &str = "11";

pub(crate) fn export<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let full = ctx.job.payload.get("full").and_then(Value::as_bool) == Some(true);
    let markers = if full {
        Vec::new()
    } else {
        ctx.store.claim(
            &[JobKind::OfferDirty.as_str()],
            MAX_MARKERS,
            StdDuration::from_secs(600),
        )?
    };
    let products: Vec<ProductOffer> = if full {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = ctx.shop.read_catalogue(after.as_deref(), CATALOGUE_PAGE)?;
            all.extend(page.items);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        all
    } else {
        let skus: Vec<String> = markers.iter().map(|m| m.key.clone()).collect();
        if skus.is_empty() {
            return Ok(Outcome::Done("nothing_changed"));
        }
        match ctx.shop.read_offers(&skus) {
            Ok(products) => products,
            Err(error) => {
                release_markers(ctx, &markers)?;
                return Err(error.into());
            }
        }
    };

    let mut by_sku: BTreeMap<String, Vec<ProductOffer>> = BTreeMap::new();
    for product in products {
        match product.sku.clone().filter(|s| !s.trim().is_empty()) {
            Some(sku) => by_sku.entry(sku).or_default().push(product),
            None => {
                ctx.raise(
                    NewProblem::new(
                        ProblemKind::ProductWithoutSku,
                        EntityType::Product,
                        product.product_id.to_string(),
                        format!(
                            "\"{}\" has no SKU and cannot be offered on the marketplace",
                            product.title
                        ),
                    )
                    .severity(Severity::Warning),
                )?;
            }
        }
    }
    let pending = pending_marketplace_units(ctx.store)?;
    let mut lines = Vec::new();
    for (sku, products) in &by_sku {
        if products.len() > 1 {
            let ids: Vec<String> = products.iter().map(|p| p.product_id.to_string()).collect();
            ctx.raise(
                NewProblem::new(
                    ProblemKind::DuplicateSku,
                    EntityType::Sku,
                    sku.clone(),
                    format!(
                        "SKU {sku} is used by several products ({}); none is sent",
                        ids.join(", ")
                    ),
                )
                .hint("Give each product its own SKU."),
            )?;
            continue;
        }
        let Some(product) = products.first() else {
            continue;
        };
        let Some(shop_quantity) = product.quantity else {
            continue;
        };
        let (product_id, product_id_type) = match &product.product_reference {
            Some(reference) => (reference.clone(), ctx.settings.product_id_type.clone()),
            None => (sku.clone(), "SHOP_SKU".to_owned()),
        };
        lines.push(OfferLine {
            sku: sku.clone(),
            product_id: Some(product_id),
            product_id_type: Some(product_id_type),
            description: product
                .description
                .clone()
                .or_else(|| Some(product.title.clone())),
            price: Some(product.price),
            quantity: Some(marketplace_quantity(
                ctx.settings,
                shop_quantity,
                pending.get(sku).copied().unwrap_or(0),
            )),
            state: Some(NEW_CONDITION.to_owned()),
            update_delete: Some(UpdateDelete::Update),
            ..OfferLine::default()
        });
    }
    if lines.is_empty() {
        finish_markers(ctx, &markers)?;
        return Ok(Outcome::Done("nothing_to_send"));
    }
    let options = OfferImportOptions {
        import_mode: ImportMode::Normal,
        ..OfferImportOptions::default()
    };
    let import = match ctx.mirakl(ApiCode::OF01, |c| c.offers().import(&lines, &options)) {
        Ok(import) => import,
        Err(error) => {
            release_markers(ctx, &markers)?;
            return Err(error.into());
        }
    };
    let skus: Vec<&str> = lines.iter().map(|l| l.sku.as_str()).collect();
    let now = ctx.now();
    ctx.store.enqueue(
        &NewJob::new(
            JobKind::PollOfferImport,
            import.import_id.clone(),
            json!({ "import_id": import.import_id, "skus": skus }),
        )
        .priority(priority::OFFERS)
        .run_at(now + Duration::seconds(60)),
    )?;
    finish_markers(ctx, &markers)?;
    Ok(Outcome::Done("exported"))
}

fn finish_markers<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    markers: &[crate::store::Job],
) -> Result<(), JobError> {
    for marker in markers {
        if let Some(lease) = marker.lease.as_deref() {
            ctx.store.finish(marker.id, lease)?;
        }
    }
    Ok(())
}

fn release_markers<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    markers: &[crate::store::Job],
) -> Result<(), JobError> {
    for marker in markers {
        if let Some(lease) = marker.lease.as_deref() {
            ctx.store.release(marker.id, lease, None)?;
        }
    }
    Ok(())
}

/// OF02 until final; OF03's rows become one problem per rejected SKU.
pub(crate) fn poll_import<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let import_id = ctx
        .job
        .payload
        .get("import_id")
        .and_then(Value::as_str)
        .unwrap_or(&ctx.job.key)
        .to_owned();
    let status = ctx.mirakl(ApiCode::OF02, |c| c.offers().import_status(&import_id))?;
    if !status.status.is_final() {
        return import_still_running(
            ctx,
            MiraklImport::Offer,
            &import_id,
            status.status.as_str(),
            Duration::seconds(60),
            Duration::hours(IMPORT_GIVE_UP_HOURS),
        );
    }
    if status.lines_in_error.unwrap_or(0) > 0 && status.has_error_report == Some(true) {
        let rows = ctx.mirakl(ApiCode::OF03, |c| c.offers().error_report(&import_id))?;
        for row in rows {
            let sku = row
                .sku
                .clone()
                .unwrap_or_else(|| format!("line {}", row.error_line.unwrap_or(0)));
            ctx.raise(
                NewProblem::new(
                    ProblemKind::OfferRejected,
                    EntityType::Sku,
                    sku,
                    format!("Mirakl refused the offer: {}", row.error_message),
                )
                .details(json!({ "import_id": import_id })),
            )?;
        }
        return Ok(Outcome::Done("errors"));
    }
    if status.status.as_str() != "COMPLETE" {
        ctx.raise(NewProblem::new(
            ProblemKind::OfferImportFailed,
            EntityType::OfferImport,
            import_id.clone(),
            format!(
                "Offer import {import_id} ended {}: {}",
                status.status,
                status.reason_status.unwrap_or_default()
            ),
        ))?;
        return Ok(Outcome::Done("failed"));
    }
    Ok(Outcome::Done("complete"))
}
