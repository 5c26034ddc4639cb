//! Orders: polling OR11 (an overlapping update window plus a sweep of every WAITING_ACCEPTANCE
//! order), importing a new order (validate, create in the shop, accept with OR21 in one job) and
//! applying later state changes and Mirakl refunds to the shop.
//!
//! Invariants: a Mirakl order id maps to one shop order (the orders map's key, and a lookup in
//! the shop before creating, so a crash between creating and recording cannot create twice);
//! the orders cursor only moves past orders whose job was recorded; a refund Mirakl made is
//! recorded in the shop once (keyed by Mirakl's refund id) and never while one of ours is in doubt.

use crate::vocab::{EntityType, ProblemKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::mirakl::orders::{LineDecision, Order, OrderLine, OrderQuery, OrderState};
use crate::mirakl::{ApiCode, CallBudget, MiraklError, Transport};
use crate::store::{NewJob, NewProblem, OrderMapping, RefundRecord, Severity};

use super::super::expected;
use super::super::settings::ShortagePolicy;
use super::super::shop::{
    Address, MarketplaceRefund, OrderAmounts, ShopError, ShopOrderDraft, ShopOrderLine,
};
use super::{priority, Ctx, JobError, JobKind, JobResult, Outcome};

/// The cursor holding the greatest `last_updated_date` of the orders recorded so far.
pub const ORDERS_CURSOR: &str = "orders.last_updated_date";

/// Mirakl states in which an order was accepted but not shipped: a shop order must exist.
const ACCEPTED_UNSHIPPED: &[&str] = &["WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"];

/// Cursor-name prefix of the lines refused for an order, kept until OR21 is confirmed.
const REFUSED_LINES_PREFIX: &str = "order.refused_lines.";

/// Refund records whose OR28 may or may not have reached Mirakl.
pub const REFUND_SENDING: &str = "sending";

/// When the update window was last polled.
const POLLED_CURSOR: &str = "orders.polled_at";
/// When the last sweep of WAITING_ACCEPTANCE orders ran.
pub const SWEEP_CURSOR: &str = "orders.swept_at";

/// One OR11 slot: a sweep of every WAITING_ACCEPTANCE order when one is due (it catches what an
/// update window missed), else the update window since the cursor. Both share Mirakl's
/// once-a-minute OR11 budget, so they take turns instead of starving each other.
pub(crate) fn poll<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let now = ctx.now();
    let last_sweep = parse_cursor(ctx.store.cursor(SWEEP_CURSOR)?);
    let last_poll = parse_cursor(ctx.store.cursor(POLLED_CURSOR)?);
    let sweep_due = last_sweep.map_or(true, |t| {
        t + Duration::seconds(ctx.settings.acceptance_sweep_interval_secs) <= now
    });
    // Never two sweeps in a row: the update window must get its turn too.
    let window_had_its_turn = match (last_poll, last_sweep) {
        (Some(poll), Some(sweep)) => poll >= sweep,
        _ => true,
    };
    // The first poll of a new install reads everything anyway: no separate sweep needed.
    let cursor = parse_cursor(ctx.store.cursor(ORDERS_CURSOR)?);
    if sweep_due && window_had_its_turn && cursor.is_some() {
        return sweep(ctx);
    }
    let overlap = Duration::minutes(ctx.settings.order_poll_overlap_minutes);
    let query = OrderQuery {
        start_update_date: cursor.map(|c| c - overlap),
        ..OrderQuery::default()
    };
    let fetched = ctx.fetch_orders(query)?;
    let mut newest = cursor;
    for (raw, order) in &fetched.orders {
        record(ctx, raw, order)?;
        // Each order is durable (its job enqueued) before the cursor may move past it.
        if let Some(updated) = order.last_updated_date {
            newest = Some(newest.map_or(updated, |n| n.max(updated)));
        }
    }
    ctx.store.set_cursor(POLLED_CURSOR, &now.to_rfc3339())?;
    if fetched.complete {
        if cursor.is_none() {
            ctx.store.set_cursor(SWEEP_CURSOR, &now.to_rfc3339())?;
        }
        let newest = newest.unwrap_or(now);
        if Some(newest) != cursor {
            ctx.store.set_cursor(ORDERS_CURSOR, &newest.to_rfc3339())?;
        }
    }
    Ok(Outcome::Done(if fetched.complete {
        "polled"
    } else {
        "partial"
    }))
}

/// When OR11 was last read by a poll or a sweep.
pub(crate) fn last_poll(
    store: &crate::store::Store,
) -> Result<Option<DateTime<Utc>>, crate::store::StoreError> {
    let polled = parse_cursor(store.cursor(POLLED_CURSOR)?);
    let swept = parse_cursor(store.cursor(SWEEP_CURSOR)?);
    Ok(polled.max(swept))
}

fn parse_cursor(cursor: Option<crate::store::Cursor>) -> Option<DateTime<Utc>> {
    cursor
        .and_then(|c| DateTime::parse_from_rfc3339(&c.value).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// OR11 for every WAITING_ACCEPTANCE order, whatever the cursor says.
fn sweep<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let query = OrderQuery {
        order_state_codes: vec![OrderState::WaitingAcceptance],
        ..OrderQuery::default()
    };
    let fetched = ctx.fetch_orders(query)?;
    for (raw, order) in &fetched.orders {
        record(ctx, raw, order)?;
    }
    let now = ctx.now();
    ctx.store.set_cursor(SWEEP_CURSOR, &now.to_rfc3339())?;
    Ok(Outcome::Done("swept"))
}

/// Records one order seen in OR11: a map row, and the job that acts on it.
fn record<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    raw: &Value,
    order: &Order,
) -> Result<(), JobError> {
    let id = order.order_id.as_str();
    let state = order.order_state.as_str();
    let existing = ctx.store.order(id)?;
    if order.order_state == OrderState::Staging {
        if existing.is_none() {
            ctx.store.upsert_order(&OrderMapping::new(id, state))?;
        }
        return Ok(());
    }
    let out_of_staging = existing
        .as_ref()
        .is_some_and(|e| e.state == OrderState::Staging.as_str());
    let Some(existing) = existing.filter(|_| !out_of_staging) else {
        let mut mapping = OrderMapping::new(id, state);
        if order.order_state == OrderState::WaitingAcceptance {
            // Mirakl does not say when the operator refuses automatically: the window starts
            // when the order became acceptable (its creation, or now when it left STAGING).
            let start = if out_of_staging {
                ctx.now()
            } else {
                order.created_date.unwrap_or_else(|| ctx.now())
            };
            mapping.acceptance_deadline =
                Some(start + Duration::hours(ctx.settings.acceptance_window_hours));
        }
        mapping.shipping_deadline = order.shipping_deadline;
        ctx.store.upsert_order(&mapping)?;
        if order.order_state == OrderState::WaitingAcceptance || ACCEPTED_UNSHIPPED.contains(&state)
        {
            enqueue_import(ctx, id, raw)?;
        }
        return Ok(());
    };
    if order.order_state == OrderState::WaitingAcceptance {
        // Once the engine has decided (accepted or refused) it waits for Mirakl to catch up.
        if existing.state == OrderState::WaitingAcceptance.as_str() {
            enqueue_import(ctx, id, raw)?;
        }
        return Ok(());
    }
    if existing.wc_order_id.is_none()
        && ACCEPTED_UNSHIPPED.contains(&state)
        && existing.state != OrderState::Refused.as_str()
    {
        enqueue_import(ctx, id, raw)?;
        return Ok(());
    }
    if existing.state != state || has_unrecorded_refunds(ctx, order)? {
        enqueue_sync(ctx, id, raw)?;
    }
    Ok(())
}

/// Queues the import of an order with its latest OR11 payload. A job already waiting takes the
/// newer payload; a held one (done) is looked at again.
fn enqueue_import<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    id: &str,
    raw: &Value,
) -> Result<(), JobError> {
    enqueue_order_job(ctx, JobKind::ImportOrder, priority::IMPORT_ORDER, id, raw)
}

fn enqueue_order_job<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    kind: JobKind,
    priority: i32,
    id: &str,
    raw: &Value,
) -> Result<(), JobError> {
    ctx.store
        .enqueue(&NewJob::new(kind, id, raw.clone()).priority(priority))?;
    Ok(())
}

fn refund_ids(order: &Order) -> Vec<(&OrderLine, &crate::mirakl::orders::Refund)> {
    order
        .order_lines
        .iter()
        .flat_map(|line| line.refunds.iter().map(move |refund| (line, refund)))
        .collect()
}

/// Mirakl refund ids the store already knows for this order (ours and mirrored ones).
pub(crate) fn known_refund_ids<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    mirakl_order_id: &str,
) -> Result<BTreeSet<String>, JobError> {
    Ok(ctx
        .store
        .refunds_for_order(mirakl_order_id)?
        .into_iter()
        .flat_map(|r| r.mirakl_refund_ids)
        .collect())
}

fn has_unrecorded_refunds<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &Order,
) -> Result<bool, JobError> {
    let refunds = refund_ids(order);
    if refunds.is_empty() {
        return Ok(false);
    }
    let known = known_refund_ids(ctx, &order.order_id)?;
    Ok(refunds.iter().any(|(_, r)| !known.contains(&r.id)))
}

/// Why a line cannot be accepted.
enum LineProblem {
    UnknownSku,
    ShortStock { available: i64 },
}

/// Validates, creates in the shop, and accepts (OR21) — or refuses or holds, by policy.
pub(crate) fn import<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let payload = ctx.job.payload.clone();
    let mut order: Order = serde_json::from_value(payload)
        .map_err(|e| JobError::Permanent(format!("unreadable order payload: {e}")))?;
    let id = order.order_id.clone();
    if ctx.may_have_written() {
        // An earlier attempt may have accepted: read Mirakl's state before sending OR21 again.
        match ctx.read_order(&id)? {
            Some((raw, fresh)) => {
                order = fresh;
                if order.order_state != OrderState::WaitingAcceptance
                    && !ACCEPTED_UNSHIPPED.contains(&order.order_state.as_str())
                {
                    enqueue_sync(ctx, &id, &raw)?;
                    return Ok(Outcome::Done("no_longer_waiting"));
                }
            }
            None => return Err(JobError::Permanent(format!("order {id} is not in OR11"))),
        }
    }
    let mapping = ctx
        .store
        .order(&id)?
        .unwrap_or_else(|| OrderMapping::new(id.clone(), order.order_state.as_str()));
    let waiting = order.order_state == OrderState::WaitingAcceptance;
    if waiting && mapping.state != OrderState::WaitingAcceptance.as_str() {
        return Ok(Outcome::Done("already_decided"));
    }
    if !waiting && !ACCEPTED_UNSHIPPED.contains(&order.order_state.as_str()) {
        return Ok(Outcome::Done("no_longer_waiting"));
    }

    // An order already in the shop was validated when it was made: its lines were accepted.
    let mut shop_order = mapping.wc_order_id;
    if shop_order.is_none() {
        shop_order = ctx.shop.find_order_by_mirakl_id(&id)?.map(|o| o.id);
        if let Some(found) = shop_order {
            let mut adopted = mapping.clone();
            adopted.wc_order_id = Some(found);
            ctx.store.upsert_order(&adopted)?;
        }
    }

    let mut refused: BTreeSet<String> = BTreeSet::new();
    if shop_order.is_none() && waiting {
        let problems = validate_lines(ctx, &order)?;
        if !problems.is_empty() {
            let mut hold = false;
            let mut details = Vec::new();
            for (line_id, sku, problem) in &problems {
                let (policy, text) = match problem {
                    LineProblem::UnknownSku => (
                        ctx.settings.unknown_sku_policy,
                        format!("SKU {sku} is not in the shop"),
                    ),
                    LineProblem::ShortStock { available } => (
                        ctx.settings.short_stock_policy,
                        format!("SKU {sku}: only {available} in stock"),
                    ),
                };
                hold |= policy == ShortagePolicy::Hold;
                refused.insert(line_id.clone());
                details.push(text);
            }
            if hold {
                let deadline = mapping
                    .acceptance_deadline
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_else(|| "unknown".to_owned());
                let problem = NewProblem::new(
                    ProblemKind::OrderHeld,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Order {id} is held, neither accepted nor refused: {}. It is refused \
                         automatically by the marketplace at {deadline}.",
                        details.join("; ")
                    ),
                )
                .severity(Severity::Critical)
                .job(ctx.job.id)
                .hint("Fix the product or its stock, then retry; or accept/refuse it in Mirakl.");
                ctx.raise(problem)?;
                return Ok(Outcome::Done("held"));
            }
            if !ctx.settings.partial_acceptance {
                refused = order
                    .order_lines
                    .iter()
                    .map(|l| l.order_line_id.clone())
                    .collect();
            }
            let problem = NewProblem::new(
                ProblemKind::OrderLinesRefused,
                EntityType::MiraklOrder,
                id.clone(),
                format!("Refused lines of order {id}: {}", details.join("; ")),
            )
            .severity(Severity::Warning);
            ctx.raise(problem)?;
        }
    }

    // The decisions must survive a crash between creating the shop order and OR21, or a retry
    // would accept lines the shop order does not have.
    let decisions_cursor = format!("{REFUSED_LINES_PREFIX}{id}");
    if shop_order.is_none() {
        if !refused.is_empty() {
            let text = serde_json::to_string(&refused).unwrap_or_else(|_| "[]".to_owned());
            ctx.store.set_cursor(&decisions_cursor, &text)?;
        }
    } else if let Some(saved) = ctx.store.cursor(&decisions_cursor)? {
        refused = serde_json::from_str(&saved.value).unwrap_or_default();
    }

    let accepted_lines: Vec<&OrderLine> = order
        .order_lines
        .iter()
        .filter(|l| !refused.contains(&l.order_line_id))
        .collect();
    if accepted_lines.is_empty() {
        let decisions: Vec<LineDecision> = order
            .order_lines
            .iter()
            .map(|l| LineDecision::refuse(l.order_line_id.clone()))
            .collect();
        match ctx.mirakl(ApiCode::OR21, |c| c.orders().accept_lines(&id, &decisions)) {
            Ok(()) => {}
            Err(error) if is_invalid_state(&error) => {
                return Ok(Outcome::Done("already_decided"));
            }
            Err(error) => return Err(error.into()),
        }
        let mut refused_map = mapping.clone();
        refused_map.state = OrderState::Refused.as_str().to_owned();
        ctx.store.upsert_order(&refused_map)?;
        return Ok(Outcome::Done("refused"));
    }

    let shop_order = match shop_order {
        Some(existing) => {
            // Made by an earlier attempt (or found in the shop): its expected order may not
            // have been recorded before the crash.
            let draft = draft(ctx, &order, &accepted_lines);
            expected::record_created(ctx.store, &draft, existing)?;
            existing
        }
        None => {
            let draft = draft(ctx, &order, &accepted_lines);
            let created = match ctx.shop.create_order(&draft) {
                Ok(created) => created,
                Err(ShopError::Rejected { reason }) => {
                    // Like a hold: not accepted, a human looks, and every poll tries again.
                    let problem = NewProblem::new(
                        ProblemKind::OrderRejectedByShop,
                        EntityType::MiraklOrder,
                        id.clone(),
                        format!("The shop refused to create order {id}: {reason}"),
                    )
                    .severity(Severity::Critical)
                    .job(ctx.job.id)
                    .hint("Fix the cause in WooCommerce, then retry; or refuse it in Mirakl.");
                    ctx.raise(problem)?;
                    return Ok(Outcome::Done("rejected_by_shop"));
                }
                Err(error) => return Err(error.into()),
            };
            // What finance matching expects of it, before the map row: a crash in between
            // finds the order in the shop and records it again (a no-op).
            expected::record_created(ctx.store, &draft, created)?;
            let mut recorded = mapping.clone();
            recorded.wc_order_id = Some(created);
            ctx.store.upsert_order(&recorded)?;
            let skus: Vec<String> = draft.lines.iter().map(|l| l.sku.clone()).collect();
            ctx.refresh_stock(&skus)?;
            created
        }
    };

    if !waiting {
        return Ok(Outcome::Done("imported"));
    }
    let decisions: Vec<LineDecision> = order
        .order_lines
        .iter()
        .map(|l| {
            if refused.contains(&l.order_line_id) {
                LineDecision::refuse(l.order_line_id.clone())
            } else {
                LineDecision::accept(l.order_line_id.clone())
            }
        })
        .collect();
    match ctx.mirakl(ApiCode::OR21, |c| c.orders().accept_lines(&id, &decisions)) {
        Ok(()) => {}
        // Accepted by an earlier attempt whose answer was lost, or refused by the operator:
        // the next poll brings the real state.
        Err(error) if is_invalid_state(&error) => return Ok(Outcome::Done("already_decided")),
        Err(MiraklError::Client { message, .. })
            if message.contains("ORDER_PARTIAL_ACCEPTANCE_DISABLED") =>
        {
            // The operator does not take mixed decisions: refuse the whole order and undo the
            // shop order made for its accepted lines.
            ctx.shop.cancel_order(
                shop_order,
                "The marketplace does not allow partial acceptance: the whole order was refused.",
            )?;
            expected::record_cancelled(ctx.store, &id)?;
            let skus: Vec<String> = order
                .order_lines
                .iter()
                .filter_map(|l| l.offer_sku.clone())
                .collect();
            ctx.refresh_stock(&skus)?;
            let refuse_all: Vec<LineDecision> = order
                .order_lines
                .iter()
                .map(|l| LineDecision::refuse(l.order_line_id.clone()))
                .collect();
            ctx.mirakl(ApiCode::OR21, |c| c.orders().accept_lines(&id, &refuse_all))?;
            let mut refused_map = mapping.clone();
            refused_map.state = OrderState::Refused.as_str().to_owned();
            ctx.store.upsert_order(&refused_map)?;
            ctx.raise(
                NewProblem::new(
                    ProblemKind::PartialAcceptanceDisabled,
                    EntityType::MiraklOrder,
                    id.clone(),
                    format!(
                        "Order {id} was refused whole: the marketplace refuses partial acceptance"
                    ),
                )
                .hint("Turn off partial acceptance in the connector's settings."),
            )?;
            return Ok(Outcome::Done("refused"));
        }
        Err(error) => return Err(error.into()),
    }
    let mut accepted = mapping;
    accepted.wc_order_id = Some(shop_order);
    accepted.state = OrderState::WaitingDebitPayment.as_str().to_owned();
    ctx.store.upsert_order(&accepted)?;
    let note = format!("Accepted on the marketplace (Mirakl order {id}).");
    // The acceptance is done; a note that fails to save must not undo it.
    let _ = ctx.shop.add_order_note(shop_order, &note);
    Ok(Outcome::Done("accepted"))
}

fn is_invalid_state(error: &MiraklError) -> bool {
    matches!(error, MiraklError::Client { status: 400, message, .. } if message.contains("ORDER_INVALID_STATE"))
}

fn enqueue_sync<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    id: &str,
    raw: &Value,
) -> Result<(), JobError> {
    enqueue_order_job(ctx, JobKind::SyncOrder, priority::SYNC_ORDER, id, raw)
}

/// Lines whose SKU the shop does not know or whose stock is short (all lines of one SKU count).
fn validate_lines<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &Order,
) -> Result<Vec<(String, String, LineProblem)>, JobError> {
    let skus: Vec<String> = order
        .order_lines
        .iter()
        .filter_map(|l| l.offer_sku.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let levels: HashMap<String, Option<i64>> = ctx
        .shop
        .read_stock(&skus)?
        .into_iter()
        .map(|l| (l.sku, l.quantity))
        .collect();
    let mut needed: BTreeMap<&str, i64> = BTreeMap::new();
    for line in &order.order_lines {
        if let Some(sku) = line.offer_sku.as_deref() {
            *needed.entry(sku).or_default() += line.quantity.unwrap_or(0);
        }
    }
    let mut problems = Vec::new();
    for line in &order.order_lines {
        let sku = line.offer_sku.clone().unwrap_or_default();
        match levels.get(&sku) {
            None => problems.push((line.order_line_id.clone(), sku, LineProblem::UnknownSku)),
            Some(Some(available))
                if *available < needed.get(sku.as_str()).copied().unwrap_or(0) =>
            {
                problems.push((
                    line.order_line_id.clone(),
                    sku,
                    LineProblem::ShortStock {
                        available: *available,
                    },
                ))
            }
            Some(_) => {}
        }
    }
    Ok(problems)
}

fn sum_taxes(taxes: &[crate::mirakl::model::Tax]) -> Decimal {
    taxes.iter().filter_map(|t| t.amount).sum()
}

fn address(address: Option<&crate::mirakl::orders::Address>) -> Option<Address> {
    let a = address?;
    Some(Address {
        first_name: a.firstname.clone().unwrap_or_default(),
        last_name: a.lastname.clone().unwrap_or_default(),
        company: a.company.clone(),
        street_1: a.street_1.clone().unwrap_or_default(),
        street_2: a.street_2.clone(),
        zip_code: a.zip_code.clone().unwrap_or_default(),
        city: a.city.clone().unwrap_or_default(),
        state: a.state.clone(),
        country_iso_code: a
            .country_iso_code
            .clone()
            .or_else(|| a.country.clone())
            .unwrap_or_default(),
        phone: a.phone.clone(),
    })
}

/// The shop order for the accepted lines, priced as the marketplace sold them, with every
/// figure the shop writes (amounts in the order's tax mode, the commission fee line).
fn draft<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &Order,
    lines: &[&OrderLine],
) -> ShopOrderDraft {
    let lines: Vec<ShopOrderLine> = lines
        .iter()
        .map(|l| {
            let quantity = l.quantity.unwrap_or(0);
            let price = l.price.unwrap_or_default();
            let commission_fee = l.commission_fee.unwrap_or_default();
            let commission_vat = l.commission_vat.unwrap_or_default();
            ShopOrderLine {
                sku: l.offer_sku.clone().unwrap_or_default(),
                quantity,
                price,
                unit_price: l.price_unit.unwrap_or_else(|| {
                    if quantity > 0 {
                        price / Decimal::from(quantity)
                    } else {
                        price
                    }
                }),
                tax: sum_taxes(&l.taxes),
                shipping_price: l.shipping_price.unwrap_or_default(),
                shipping_tax: sum_taxes(&l.shipping_taxes),
                commission_fee,
                commission_vat,
                commission_total: l
                    .total_commission
                    .unwrap_or(commission_fee + commission_vat),
                mirakl_order_line_id: l.order_line_id.clone(),
            }
        })
        .collect();
    let shipping_total: Decimal = lines.iter().map(|l| l.shipping_price).sum();
    let total: Decimal = lines.iter().map(|l| l.price).sum::<Decimal>() + shipping_total;
    let commission_total = lines.iter().map(|l| l.commission_total).sum();
    let customer = order.customer.as_ref();
    let status = ctx
        .settings
        .shop_status_for(order.order_state.as_str())
        .unwrap_or("on-hold")
        .to_owned();
    let prices_include_tax = ctx.settings.prices_include_tax();
    ShopOrderDraft {
        mirakl_order_id: order.order_id.clone(),
        commercial_id: order.commercial_id.clone(),
        currency: order.currency_iso_code.clone().unwrap_or_default(),
        prices_include_tax,
        lines,
        shipping_total,
        total,
        commission_total,
        customer_first_name: customer.and_then(|c| c.firstname.clone()),
        customer_last_name: customer.and_then(|c| c.lastname.clone()),
        billing_address: address(customer.and_then(|c| c.billing_address.as_ref())),
        shipping_address: address(customer.and_then(|c| c.shipping_address.as_ref())),
        status,
        amounts: OrderAmounts::default(),
        fee_line: None,
    }
    .priced(&ctx.settings.commission)
}

/// Applies a Mirakl state change to the shop order and mirrors Mirakl's refunds into the shop.
pub(crate) fn sync<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let order: Order = serde_json::from_value(ctx.job.payload.clone())
        .map_err(|e| JobError::Permanent(format!("unreadable order payload: {e}")))?;
    let id = order.order_id.clone();
    let Some(mapping) = ctx.store.order(&id)? else {
        return Ok(Outcome::Done("unknown_order"));
    };
    let state = order.order_state.as_str();
    // A snapshot older than what the engine already knows (e.g. SHIPPING queued before the
    // engine shipped the order) must not move the order back.
    if progress(state) < progress(&mapping.state) {
        if let Some(shop_order) = mapping.wc_order_id {
            mirror_refunds(ctx, &order, shop_order)?;
        }
        return Ok(Outcome::Done("stale"));
    }
    if let Some(shop_order) = mapping.wc_order_id {
        match order.order_state {
            OrderState::Canceled | OrderState::Refused => {
                let reason = format!("Mirakl order {id} is {state}: cancelled and restocked.");
                ctx.shop.cancel_order(shop_order, &reason)?;
                expected::record_cancelled(ctx.store, &id)?;
                let skus: Vec<String> = order
                    .order_lines
                    .iter()
                    .filter_map(|l| l.offer_sku.clone())
                    .collect();
                ctx.refresh_stock(&skus)?;
            }
            _ if mapping.state != state => {
                update_addresses(ctx, &order, shop_order)?;
                if let Some(status) = ctx.settings.shop_status_for(state) {
                    // Only a status the engine itself gave for an earlier state is replaced: a
                    // status the merchant set (e.g. completed) is theirs.
                    let current = ctx.shop.find_order_by_mirakl_id(&id)?.map(|o| o.status);
                    let engine_set = current.as_deref().map_or(true, |current| {
                        ctx.settings.status_mapping.iter().any(|(earlier, mapped)| {
                            mapped == current && progress(earlier) < progress(state)
                        })
                    });
                    if engine_set && current.as_deref() != Some(status) {
                        ctx.shop.set_order_status(shop_order, status)?;
                    }
                }
            }
            _ => {}
        }
        mirror_refunds(ctx, &order, shop_order)?;
    }
    let mut updated = OrderMapping::new(id, state);
    updated.shipping_deadline = order.shipping_deadline;
    ctx.store.upsert_order(&updated)?;
    Ok(Outcome::Done("synced"))
}

/// Gives the shop order the addresses Mirakl shows now: operators often reveal them only once
/// the order is paid, after the shop order was created without them.
fn update_addresses<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &Order,
    shop_order: i64,
) -> Result<(), JobError> {
    let customer = order.customer.as_ref();
    let billing = address(customer.and_then(|c| c.billing_address.as_ref()));
    let shipping = address(customer.and_then(|c| c.shipping_address.as_ref()));
    if billing.is_some() || shipping.is_some() {
        ctx.shop
            .update_order_addresses(shop_order, billing.as_ref(), shipping.as_ref())?;
    }
    Ok(())
}

/// How far along its life an order state is; terminal states last. Unknown states rank with
/// the start, so they never block a known later state.
fn progress(state: &str) -> u8 {
    match state {
        "WAITING_ACCEPTANCE" => 1,
        "WAITING_DEBIT" | "WAITING_DEBIT_PAYMENT" => 2,
        "SHIPPING" => 3,
        "SHIPPED" => 4,
        "TO_COLLECT" => 5,
        "RECEIVED" => 6,
        "CLOSED" => 7,
        "REFUSED" | "CANCELED" => 8,
        _ => 0,
    }
}

/// Records in the shop each Mirakl refund the store does not know yet.
fn mirror_refunds<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &Order,
    shop_order: i64,
) -> Result<(), JobError> {
    let records = ctx.store.refunds_for_order(&order.order_id)?;
    // One of our OR28 calls is in doubt: its refund may be among these, and mirroring it would
    // echo our own refund back into the shop. The refund job settles it first.
    if records.iter().any(|r| r.state == REFUND_SENDING) {
        return Ok(());
    }
    let known: BTreeSet<String> = records
        .into_iter()
        .flat_map(|r| r.mirakl_refund_ids)
        .collect();
    for (line, refund) in refund_ids(order) {
        if known.contains(&refund.id) {
            continue;
        }
        let marketplace_refund = MarketplaceRefund {
            mirakl_refund_id: refund.id.clone(),
            mirakl_order_line_id: line.order_line_id.clone(),
            sku: line.offer_sku.clone(),
            quantity: refund.quantity.unwrap_or(0),
            amount: refund.amount.unwrap_or_default(),
            shipping_amount: refund.shipping_amount.unwrap_or_default(),
            reason_code: refund.reason_code.clone(),
        };
        let shop_refund = ctx
            .shop
            .record_marketplace_refund(shop_order, &marketplace_refund)?;
        // The refund as the shop booked it (its tax split), before the refunds map row: a
        // crash in between records it again under the same shop refund id.
        if let Some(booked) = ctx.shop.read_refund(shop_refund)? {
            expected::record_refund(ctx.store, &order.order_id, &booked)?;
        }
        let mut record = RefundRecord::new(shop_refund, order.order_id.clone(), "mirrored");
        record.mirakl_refund_ids = vec![refund.id.clone()];
        ctx.store.upsert_refund(&record)?;
    }
    Ok(())
}
