//! The sweeper: every quarter hour, work an event lost with its request (a PHP request killed
//! before `shutdown`, a crash between a write and its record) is found and queued, and a status
//! the two sides disagree on is put right or raised.
//!
//! It looks at the shop orders carrying a Mirakl id modified since its last pass (one page per
//! run, by ascending id, so a pass never skips one) and at the orders the core saw CANCELED or
//! REFUSED since then:
//! - a completed order with no ship job is queued for shipping; one whose ship job ran before
//!   the order last changed is queued again; one still SHIPPING on Mirakl after its ship job
//!   ran, with nothing to explain it, is a `status_drift` problem whose Retry ships it;
//! - a shop refund with neither a ledger row nor a refund job is queued to be sent;
//! - two shop refunds of one order at the same second for the same amount are a
//!   `refund_recorded_twice` problem;
//! - a Mirakl CANCELED or REFUSED order still open in the shop gets its sync (which cancels and
//!   restocks it) run again once, then is a `status_drift` problem saying what to do.
//!
//! Invariants: every queueing goes through the unique (kind, key) enqueue and only where no job
//! exists or the existing one ran before the change it missed, so the sweeper never duplicates
//! work; a drift it sees gone heals its problem.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::mirakl::{CallBudget, Transport};
use crate::store::{JobState, NewJob, NewProblem, OrderMapping, ProblemFilter, Severity};
use crate::vocab::{EntityType, ProblemKind};

use super::super::events;
use super::super::shop::{ShopOrderSummary, ShopRefundSummary};
use super::{priority, shipping, Ctx, JobKind, JobResult, Outcome};

/// The sweep job's key.
pub const SWEEP_KEY: &str = "orders";
/// How often a pass starts.
pub const SWEEP_INTERVAL_SECS: i64 = 900;
/// Shop orders read per run.
const PAGE_SIZE: u32 = 50;
/// How far back the first pass looks.
const FIRST_LOOKBACK_DAYS: i64 = 30;
/// A pass starts a little before the last one did: clocks of the shop and the core may differ.
const OVERLAP_SECS: i64 = 300;
/// Cancelled or refused orders checked per pass.
const MIRAKL_SIDE_LIMIT: u32 = 200;
/// Where the sweep is.
const CURSOR: &str = "sweep.orders";
/// `sweep.requeued.<mirakl order id>`: the sweeper ran this order's sync again once.
const REQUEUED_PREFIX: &str = "sweep.requeued.";
/// Shop statuses of an order still being fulfilled.
const OPEN_STATUSES: &[&str] = &["pending", "processing", "on-hold"];
/// Problems that already tell a person why a completed order is not shipped.
const SHIP_EXPLAINED: &[ProblemKind] = &[
    ProblemKind::TrackingMissing,
    ProblemKind::CarrierUnmapped,
    ProblemKind::OrderNotShippable,
];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pass {
    /// Shop orders modified at or after this are looked at.
    since: DateTime<Utc>,
    /// When the pass began (the next one starts from it).
    started: DateTime<Utc>,
    /// The next page of the shop's list.
    page: u32,
}

pub(crate) fn sweep<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let now = ctx.now();
    let mut pass = ctx
        .store
        .cursor(CURSOR)?
        .and_then(|c| serde_json::from_str::<Pass>(&c.value).ok())
        .unwrap_or(Pass {
            since: now - Duration::days(FIRST_LOOKBACK_DAYS),
            started: now,
            page: 1,
        });
    if pass.page <= 1 {
        pass.page = 1;
        pass.started = now;
        mirakl_side(ctx, pass.since)?;
    }
    let page = ctx
        .shop
        .marketplace_orders(pass.since, pass.page, PAGE_SIZE)?;
    for order in page.orders.iter().take(PAGE_SIZE as usize) {
        shop_side(ctx, order)?;
    }
    if page.more && !page.orders.is_empty() {
        pass.page += 1;
        save(ctx, &pass)?;
        return Ok(Outcome::Later(
            now + Duration::seconds(30),
            "sweep_next_page",
        ));
    }
    let next = Pass {
        since: pass.started - Duration::seconds(OVERLAP_SECS),
        started: pass.started,
        page: 1,
    };
    save(ctx, &next)?;
    Ok(Outcome::Done("swept"))
}

fn save<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    pass: &Pass,
) -> Result<(), super::JobError> {
    let text = serde_json::to_string(pass)
        .map_err(|e| super::JobError::Permanent(format!("sweep cursor: {e}")))?;
    ctx.store.set_cursor(CURSOR, &text)?;
    Ok(())
}

/// One shop order: its shipment, its refunds.
fn shop_side<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &ShopOrderSummary,
) -> Result<(), super::JobError> {
    let mapping = ctx.store.order(&order.mirakl_order_id)?;
    if order.status == "completed" {
        completed(ctx, order, mapping.as_ref())?;
    }
    let shop_refunds: Vec<&ShopRefundSummary> = order
        .refunds
        .iter()
        .filter(|r| r.mirakl_refund_id.is_none())
        .collect();
    for refund in &shop_refunds {
        let known = ctx.store.refund(refund.id)?.is_some()
            || ctx
                .store
                .find_job(JobKind::RefundOrder.as_str(), &refund.id.to_string())?
                .is_some();
        if !known {
            events::refund_created(ctx.store, refund.id)?;
        }
    }
    recorded_twice(ctx, order, &shop_refunds)?;
    Ok(())
}

/// A completed shop order: queued for shipping unless it is shipped, being shipped, or a
/// problem already says why not.
fn completed<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &ShopOrderSummary,
    mapping: Option<&OrderMapping>,
) -> Result<(), super::JobError> {
    let id = &order.mirakl_order_id;
    let state = mapping.map(|m| m.state.as_str());
    if state.is_some_and(|s| shipping::SHIPPED_STATES.contains(&s) || is_closed(s)) {
        ctx.store.heal_problem(
            ProblemKind::StatusDrift,
            EntityType::MiraklOrder.as_str(),
            id,
        )?;
        return Ok(());
    }
    if shipping::latest_order(ctx, id)?.is_some_and(|o| ctx.settings.operator_fulfils(&o)) {
        return Ok(());
    }
    let key = order.id.to_string();
    let job = ctx.store.find_job(JobKind::ShipOrder.as_str(), &key)?;
    let Some(job) = job else {
        return ship(ctx, order.id);
    };
    match job.state {
        JobState::Pending | JobState::Leased | JobState::Dead => Ok(()),
        JobState::Done => {
            let ran_at = job.finished_at.unwrap_or(job.updated_at);
            if ran_at < order.modified_at {
                // The order changed after its shipment was last tried (tracking added, status
                // set again) and no event said so.
                return ship(ctx, order.id);
            }
            if state != Some("SHIPPING") || explained(ctx, id)? {
                return Ok(());
            }
            ctx.raise(
                NewProblem::new(
                    ProblemKind::StatusDrift,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Order {id} is completed in WooCommerce (order #{}) but still SHIPPING \
                         on Mirakl",
                        order.id
                    ),
                )
                .severity(Severity::Error)
                .job(job.id)
                .details(json!({ "shop_order": order.id, "shop_status": order.status,
                                 "mirakl_state": "SHIPPING" }))
                .hint(
                    "Check the order's carrier and tracking number, then Retry to send the \
                     shipment; or mark it shipped on Mirakl.",
                ),
            )?;
            Ok(())
        }
    }
}

fn ship<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    shop_order: i64,
) -> Result<(), super::JobError> {
    events::order_shipped(ctx.store, shop_order)?;
    Ok(())
}

fn explained<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    id: &str,
) -> Result<bool, super::JobError> {
    let open = ctx.store.list_problems(&ProblemFilter {
        entity_type: Some(EntityType::MiraklOrder.as_str().to_owned()),
        entity_id: Some(id.to_owned()),
        limit: 20,
        ..ProblemFilter::open()
    })?;
    Ok(open
        .iter()
        .any(|p| SHIP_EXPLAINED.iter().any(|k| k.as_str() == p.kind)))
}

fn is_closed(state: &str) -> bool {
    matches!(state, "CANCELED" | "REFUSED" | "REFUNDED")
}

/// Two shop refunds of one order made in the same second for the same amount: the customer
/// was most likely refunded once and WooCommerce recorded it twice.
fn recorded_twice<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &ShopOrderSummary,
    refunds: &[&ShopRefundSummary],
) -> Result<(), super::JobError> {
    let mut groups: BTreeMap<(i64, String), Vec<&ShopRefundSummary>> = BTreeMap::new();
    for refund in refunds {
        let amount = refund.amount.normalize().to_string();
        groups
            .entry((refund.created_at.timestamp(), amount))
            .or_default()
            .push(refund);
    }
    let pairs: Vec<_> = groups.into_iter().filter(|(_, g)| g.len() > 1).collect();
    if pairs.is_empty() {
        return Ok(());
    }
    // A person who looked and resolved it said both refunds stand: never raised again.
    let resolved = ctx
        .store
        .list_problems(&ProblemFilter {
            kind: Some(ProblemKind::RefundRecordedTwice.as_str().to_owned()),
            entity_type: Some(EntityType::ShopOrder.as_str().to_owned()),
            entity_id: Some(order.id.to_string()),
            limit: 1,
            ..ProblemFilter::default()
        })?
        .iter()
        .any(|p| p.state == crate::store::ProblemState::Resolved);
    if resolved {
        return Ok(());
    }
    for ((_, amount), group) in pairs {
        let mut sent = 0;
        let mut states = Vec::new();
        for refund in &group {
            let state = ctx.store.refund(refund.id)?.map(|r| r.state);
            if state.as_deref() == Some("sent") {
                sent += 1;
            }
            states.push(json!({ "refund": refund.id, "state": state }));
        }
        let ids: Vec<String> = group.iter().map(|r| format!("#{}", r.id)).collect();
        let at = group[0].created_at;
        ctx.raise(
            NewProblem::new(
                ProblemKind::RefundRecordedTwice,
                EntityType::ShopOrder,
                order.id.to_string(),
                format!(
                    "WooCommerce order #{} (Mirakl order {}) has {} refunds of {amount} made at \
                     the same moment ({}): {}; {sent} of them sent to Mirakl",
                    order.id,
                    order.mirakl_order_id,
                    group.len(),
                    at.format("%Y-%m-%d %H:%M:%S UTC"),
                    ids.join(", ")
                ),
            )
            .severity(Severity::Warning)
            .details(json!({
                "mirakl_order_id": order.mirakl_order_id,
                "amount": amount,
                "at": at,
                "refunds": states,
            }))
            .hint(
                "If the customer asked for one refund, delete the extra refund on the \
                 WooCommerce order, then resolve this problem.",
            ),
        )?;
    }
    Ok(())
}

/// Orders Mirakl cancelled or refused since `since` whose shop order is still open.
fn mirakl_side<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    since: DateTime<Utc>,
) -> Result<(), super::JobError> {
    let mut rows =
        ctx.store
            .orders_in_states_since(&["CANCELED", "REFUSED"], since, MIRAKL_SIDE_LIMIT)?;
    // Orders with an open drift problem are looked at again whatever their age, so a drift
    // put right by hand closes its problem.
    let open = ctx.store.list_problems(&ProblemFilter {
        kind: Some(ProblemKind::StatusDrift.as_str().to_owned()),
        entity_type: Some(EntityType::MiraklOrder.as_str().to_owned()),
        limit: MIRAKL_SIDE_LIMIT,
        ..ProblemFilter::open()
    })?;
    for problem in open {
        if rows.iter().any(|r| r.mirakl_order_id == problem.entity_id) {
            continue;
        }
        let Some(mapping) = ctx.store.order(&problem.entity_id)? else {
            continue;
        };
        if shipping::SHIPPED_STATES.contains(&mapping.state.as_str()) {
            ctx.store.heal_problem(
                ProblemKind::StatusDrift,
                EntityType::MiraklOrder.as_str(),
                &mapping.mirakl_order_id,
            )?;
        } else if matches!(mapping.state.as_str(), "CANCELED" | "REFUSED") {
            rows.push(mapping);
        }
    }
    for mapping in rows {
        let Some(wc_order_id) = mapping.wc_order_id else {
            continue;
        };
        let id = mapping.mirakl_order_id.clone();
        let requeued = format!("{REQUEUED_PREFIX}{id}");
        let status = ctx.shop.find_order_by_mirakl_id(&id)?.map(|o| o.status);
        let Some(status) = status.filter(|s| OPEN_STATUSES.contains(&s.as_str())) else {
            ctx.store.heal_problem(
                ProblemKind::StatusDrift,
                EntityType::MiraklOrder.as_str(),
                &id,
            )?;
            ctx.store.delete_cursor(&requeued)?;
            continue;
        };
        let sync = ctx.store.find_job(JobKind::SyncOrder.as_str(), &id)?;
        let waiting = sync.as_ref().is_some_and(|j| {
            matches!(
                j.state,
                JobState::Pending | JobState::Leased | JobState::Dead
            )
        });
        if waiting {
            continue;
        }
        let tried = ctx.store.cursor(&requeued)?.is_some();
        if let (Some(sync), false) = (&sync, tried) {
            // The sync that cancels and restocks the shop order, run again with the order as
            // last read; each of its steps is idempotent.
            ctx.store.enqueue(
                &NewJob::new(JobKind::SyncOrder, id.clone(), sync.payload.clone())
                    .priority(priority::SYNC_ORDER),
            )?;
            ctx.store.set_cursor(&requeued, &ctx.now().to_rfc3339())?;
            continue;
        }
        ctx.raise(
            NewProblem::new(
                ProblemKind::StatusDrift,
                EntityType::MiraklOrder,
                id.clone(),
                format!(
                    "Mirakl order {id} is {} but WooCommerce order #{wc_order_id} is still {status}",
                    mapping.state
                ),
            )
            .severity(Severity::Error)
            .details(json!({ "shop_order": wc_order_id, "shop_status": status,
                             "mirakl_state": mapping.state }))
            .hint(
                "Cancel the WooCommerce order so its stock goes back; do not ship it. If it was \
                 already sent, contact the operator.",
            ),
        )?;
    }
    Ok(())
}
