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

use crate::mirakl::model::TaxMode;
use crate::mirakl::orders::{LineDecision, Order, OrderLine, OrderQuery, OrderState};
use crate::mirakl::{ApiCode, CallBudget, MiraklError, Transport};
use crate::store::{NewJob, NewProblem, OrderMapping, RefundRecord, Severity};

use super::super::countries::{self, Country};
use super::super::expected::{self, cancelation_key};
use super::super::settings::ShortagePolicy;
use super::super::shop::{
    Address, CustomField, MarketplaceRefund, MarketplaceRefundKind, OrderAmounts, ShippingMethod,
    ShopError, ShopOrderDraft, ShopOrderLine,
};
use super::sanity::{self, single_line, Violation};
use super::{priority, reference, Ctx, JobError, JobKind, JobResult, OrderRead, Outcome};

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
/// The class of OR11 work the last slot served.
const TURN_CURSOR: &str = "orders.last_turn";
/// Where an update window read only in part resumes (a [`Backlog`] as JSON).
pub const BACKLOG_CURSOR: &str = "orders.backlog";
/// Most orders one shared re-read asks for (OR11's `order_ids` takes 100).
const REREAD_BATCH: u32 = 100;

/// The classes of work that share OR11's slots, in the order they take turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Every WAITING_ACCEPTANCE order: new orders are seen here first.
    Sweep,
    /// The orders changed since the cursor, one page per slot.
    Window,
    /// Fresh views jobs asked for (imports, shipments, refunds), up to 100 orders per call.
    Reread,
}

impl Turn {
    const ALL: [Turn; 3] = [Turn::Sweep, Turn::Window, Turn::Reread];

    fn as_str(self) -> &'static str {
        match self {
            Turn::Sweep => "sweep",
            Turn::Window => "window",
            Turn::Reread => "reread",
        }
    }

    fn parse(text: &str) -> Option<Turn> {
        Turn::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Most order ids of one creation date a backlog remembers; past them, pages step by offset.
const MAX_READ_AT_FROM: usize = 5000;

/// An update window read only in part. OR11 sorts by creation date only, so the window is
/// frozen at both ends (`start_update_date`, `end_update_date`: no order can enter it, an order
/// updated meanwhile leaves it for the next window) and read in creation order from
/// `created_from`. The orders at that date already read are known by id (`read_at_from`): the
/// next page starts half a page before their end and passes over them by id, because an offset
/// just past them would also pass over unread ones once a read one left the window (and Mirakl
/// promises no order among orders of one date). Past `MAX_READ_AT_FROM` of them the page steps
/// by offset (`skip`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Backlog {
    pub from: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
    pub created_from: Option<DateTime<Utc>>,
    pub skip: u64,
    /// Ids of the orders created at `created_from` already read in this window.
    #[serde(default)]
    pub read_at_from: Vec<String>,
    /// The greatest `last_updated_date` read in the window so far.
    pub newest: Option<DateTime<Utc>>,
    /// Orders of the window not read yet, as OR11 counted them on the last page.
    pub remaining: u64,
    /// When the window was first read.
    pub since: DateTime<Utc>,
}

/// The backlog of changed orders still to read, if the last window was read only in part.
pub fn backlog(store: &crate::store::Store) -> Result<Option<Backlog>, crate::store::StoreError> {
    Ok(store
        .cursor(BACKLOG_CURSOR)?
        .and_then(|c| serde_json::from_str::<Backlog>(&c.value).ok()))
}

/// One OR11 slot, and the classes of work take turns at it: the sweep of WAITING_ACCEPTANCE
/// orders (every `acceptance_sweep_interval_secs`, backlog or not, so new orders are never
/// queued behind old changes), one page of the update window, and the re-reads jobs asked
/// for. Each class with work gets at least one slot in three, so none starves another.
pub(crate) fn poll<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let now = ctx.now();
    let last_sweep = parse_cursor(ctx.store.cursor(SWEEP_CURSOR)?);
    // The first window of a new install reads everything anyway: no separate sweep needed,
    // unless it takes more than a page.
    let cursor = parse_cursor(ctx.store.cursor(ORDERS_CURSOR)?);
    let draining = backlog(ctx.store)?.is_some();
    let sweep_due = (cursor.is_some() || draining)
        && last_sweep.map_or(true, |t| {
            t + Duration::seconds(ctx.settings.acceptance_sweep_interval_secs) <= now
        });
    let reread_due = !ctx.store.open_order_reads(1)?.is_empty();
    let last = ctx
        .store
        .cursor(TURN_CURSOR)?
        .and_then(|c| Turn::parse(&c.value))
        .unwrap_or(Turn::Reread);
    let start = Turn::ALL.iter().position(|t| *t == last).unwrap_or(0) + 1;
    let turn = (0..Turn::ALL.len())
        .map(|i| Turn::ALL[(start + i) % Turn::ALL.len()])
        .find(|turn| match turn {
            Turn::Sweep => sweep_due,
            Turn::Window => true,
            Turn::Reread => reread_due,
        })
        .unwrap_or(Turn::Window);
    let outcome = match turn {
        Turn::Sweep => sweep(ctx),
        Turn::Window => window(ctx, cursor),
        Turn::Reread => reread(ctx),
    };
    // A call the budget or Mirakl's throttling refused keeps the class's turn; any other outcome
    // (the slot used, or a failure that may repeat: a timeout, a 400, a truncated page) passes
    // the turn on, so one class failing again and again never starves the others.
    if !refused_by_rate(&outcome) {
        ctx.store.set_cursor(TURN_CURSOR, turn.as_str())?;
    }
    outcome
}

/// Whether the slot was not used because the call budget or Mirakl's throttling refused it.
fn refused_by_rate(outcome: &JobResult) -> bool {
    matches!(
        outcome,
        Err(JobError::Mirakl(
            MiraklError::BudgetExhausted { .. } | MiraklError::Throttled { .. }
        ))
    )
}

/// One page of the update window since the cursor (minus the overlap), or of the backlog the
/// last page left. The cursor moves once the whole window was read; a page that was read moves
/// the backlog past it, so a window larger than a page drains one page per slot and never
/// starts again from its beginning.
fn window<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    cursor: Option<DateTime<Utc>>,
) -> JobResult {
    let now = ctx.now();
    let overlap = Duration::minutes(ctx.settings.order_poll_overlap_minutes);
    let mut state = backlog(ctx.store)?.unwrap_or(Backlog {
        from: cursor.map(|c| c - overlap),
        until: now,
        created_from: None,
        skip: 0,
        read_at_from: Vec::new(),
        newest: cursor,
        remaining: 0,
        since: now,
    });
    let query = OrderQuery {
        start_update_date: state.from,
        end_update_date: Some(state.until),
        start_date: state.created_from,
        ..OrderQuery::default()
    };
    // Half a page back from the orders of that date already read: unless more than half a
    // page of them left the window since, the page starts among read ones (passed over by id)
    // and still brings at least half a page of new ones.
    let by_id = !state.read_at_from.is_empty() && state.read_at_from.len() <= MAX_READ_AT_FROM;
    let offset = if by_id {
        (state.read_at_from.len() as u64).saturating_sub(u64::from(query.page_size()) / 2)
    } else {
        state.skip
    };
    let page = ctx.fetch_page(&query, offset)?;
    let already = |order: &Order| {
        by_id
            && order.created_date == state.created_from
            && state.read_at_from.contains(&order.order_id)
    };
    for (raw, order) in &page.orders {
        if already(order) {
            continue;
        }
        record(ctx, raw, order)?;
        // Each order is durable (its job enqueued) before the cursor may move past it.
        if let Some(updated) = order.last_updated_date {
            state.newest = Some(state.newest.map_or(updated, |n| n.max(updated)));
        }
    }
    ctx.store.set_cursor(POLLED_CURSOR, &now.to_rfc3339())?;
    if page.last {
        if cursor.is_none() {
            ctx.store.set_cursor(SWEEP_CURSOR, &now.to_rfc3339())?;
        }
        let newest = state.newest.unwrap_or(state.until);
        if Some(newest) != cursor {
            ctx.store.set_cursor(ORDERS_CURSOR, &newest.to_rfc3339())?;
        }
        ctx.store.delete_cursor(BACKLOG_CURSOR)?;
        return Ok(Outcome::Done("polled"));
    }
    // The page is sorted by creation date: resume at the last creation date read, passing
    // over the orders of that date already read (all of the page's, when it held only that
    // date).
    let last = page.orders.iter().filter_map(|(_, o)| o.created_date).max();
    let at_last = |o: &&Order| last.is_some() && o.created_date == last;
    match last {
        Some(_) if last == state.created_from => {
            let new: Vec<String> = page
                .orders
                .iter()
                .map(|(_, o)| o)
                .filter(|o| at_last(o) && !already(o))
                .map(|o| o.order_id.clone())
                .collect();
            state.skip = if by_id {
                (state.read_at_from.len() + new.len()) as u64
            } else {
                state.skip + page.count
            };
            state.read_at_from.extend(new);
        }
        Some(_) => {
            state.read_at_from = page
                .orders
                .iter()
                .map(|(_, o)| o)
                .filter(at_last)
                .map(|o| o.order_id.clone())
                .collect();
            state.skip = state.read_at_from.len() as u64;
            state.created_from = last;
        }
        // Nothing readable to anchor on: step past the page by offset.
        None => {
            state.skip += page.count;
            state.read_at_from.clear();
        }
    }
    state.remaining = page
        .total
        .map_or(1, |t| t.saturating_sub(offset + page.count).max(1));
    let text = serde_json::to_string(&state).map_err(|e| JobError::Permanent(e.to_string()))?;
    ctx.store.set_cursor(BACKLOG_CURSOR, &text)?;
    Ok(Outcome::Done("partial"))
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

/// OR11 for every WAITING_ACCEPTANCE order, whatever the cursor says (oldest first: the
/// closest to their deadline; a second page waits for a later sweep).
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

/// One OR11 call for every order jobs are waiting to see fresh (oldest request first, up to
/// 100): the views are kept for the jobs, which are woken to run in this tick.
fn reread<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let open = ctx.store.open_order_reads(REREAD_BATCH)?;
    let ids: Vec<String> = open.into_iter().map(|r| r.mirakl_order_id).collect();
    if ids.is_empty() {
        // Another runner served them since the turn was chosen: OR11 without `order_ids` would
        // list every order, a call for nothing.
        return Ok(Outcome::Done("reread: nothing to read"));
    }
    let query = OrderQuery {
        order_ids: ids.clone(),
        page_size: Some(REREAD_BATCH),
        ..OrderQuery::default()
    };
    let page = ctx.fetch_page(&query, 0)?;
    let seen = served_reads(ids, page.orders, &page.unreadable_ids);
    let woken = ctx.store.serve_order_reads(&seen)?;
    ctx.store.wake_jobs(&woken)?;
    Ok(Outcome::Done("reread"))
}

/// What a re-read of `ids` tells each: the order's view, or `None` when OR11 did not list it.
/// An order OR11 listed but the connector could not read (too large, malformed) is not absent:
/// it is left out, so its request stays open and its jobs wait while its problem says why.
fn served_reads(
    ids: Vec<String>,
    orders: Vec<(Value, Order)>,
    unreadable: &[String],
) -> Vec<(String, Option<Value>)> {
    let mut by_id: HashMap<String, Value> = orders
        .into_iter()
        .map(|(raw, order)| (order.order_id, raw))
        .collect();
    ids.into_iter()
        .filter(|id| !unreadable.contains(id))
        .map(|id| {
            let raw = by_id.remove(&id);
            (id, raw)
        })
        .collect()
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

/// The key of the whole-line cancelation the engine books for a line Mirakl moved to
/// CANCELED without listing its cancelations.
fn line_cancelation_key(line: &OrderLine) -> String {
    cancelation_key(&format!("{}:*", line.order_line_id))
}

/// The key of one of a line's `cancelations[]`: Mirakl's id is only known unique per line.
fn entry_key(line: &OrderLine, cancelation: &crate::mirakl::orders::Cancelation) -> String {
    cancelation_key(&format!("{}:{}", line.order_line_id, cancelation.id))
}

/// Mirakl's taxes, or — when it gives none on a taxed line — the line's taxes in proportion.
fn taxes_or_share(
    given: &[crate::mirakl::model::Tax],
    line_taxes: &[crate::mirakl::model::Tax],
    part: Decimal,
    whole: Option<Decimal>,
) -> Decimal {
    if given.is_empty() {
        share(sum_taxes(line_taxes), part, whole)
    } else {
        sum_taxes(given)
    }
}

/// Everything Mirakl took off the order's lines — refunds, cancelations, and lines moved to
/// CANCELED while the order goes on — as the shop refunds that record them, keyed by the id
/// the shop refund carries. Amounts, taxes and the tax mode are Mirakl's.
pub(crate) fn taken_off<'o, T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &'o Order,
) -> Vec<(&'o OrderLine, MarketplaceRefund)> {
    let prices_include_tax = ctx.order_tax_mode(order) == TaxMode::TaxIncluded;
    let whole = matches!(
        order.order_state,
        OrderState::Canceled | OrderState::Refused
    );
    let mut entries = Vec::new();
    for line in &order.order_lines {
        let entry = |key: String,
                     quantity: Option<i64>,
                     amount,
                     shipping_amount,
                     reason: &Option<String>| MarketplaceRefund {
            mirakl_refund_id: key,
            mirakl_order_line_id: line.order_line_id.clone(),
            sku: line.offer_sku.clone(),
            quantity: quantity.unwrap_or(0).max(0),
            amount,
            shipping_amount,
            reason_code: reason.clone(),
            kind: MarketplaceRefundKind::Refund,
            tax: Decimal::ZERO,
            shipping_tax: Decimal::ZERO,
            prices_include_tax,
            reason_label: None,
            restock: false,
        };
        for refund in &line.refunds {
            let mut booked = entry(
                refund.id.clone(),
                refund.quantity,
                refund.amount.unwrap_or_default(),
                refund.shipping_amount.unwrap_or_default(),
                &refund.reason_code,
            );
            booked.tax = taxes_or_share(&refund.taxes, &line.taxes, booked.amount, line.price);
            booked.shipping_tax = taxes_or_share(
                &refund.shipping_taxes,
                &line.shipping_taxes,
                booked.shipping_amount,
                line.shipping_price,
            );
            entries.push((line, booked));
        }
        // A whole order cancelled is the shop order cancelled (and restocked) as a whole.
        if whole {
            continue;
        }
        // Never more units than the line has: an entry asking for more restocks what is left.
        let mut units_left = line.quantity.unwrap_or(0).max(0);
        for cancelation in &line.cancelations {
            let units = cancelation.quantity.unwrap_or(0).clamp(0, units_left);
            units_left -= units;
            let mut booked = entry(
                entry_key(line, cancelation),
                Some(units),
                cancelation.amount.unwrap_or_default(),
                cancelation.shipping_amount.unwrap_or_default(),
                &cancelation.reason_code,
            );
            booked.tax = taxes_or_share(&cancelation.taxes, &line.taxes, booked.amount, line.price);
            booked.shipping_tax = taxes_or_share(
                &cancelation.shipping_taxes,
                &line.shipping_taxes,
                booked.shipping_amount,
                line.shipping_price,
            );
            entries.push((line, cancelled(ctx, order, booked)));
        }
        // A line CANCELED without cancelations: what is left of it is cancelled as a whole.
        if line.order_line_state.as_str() == "CANCELED" {
            let left = left_to_ship(line);
            let (amount, shipping) = super::refunds::left_on(line);
            if left > 0 || amount > Decimal::ZERO || shipping > Decimal::ZERO {
                let mut booked = entry(
                    line_cancelation_key(line),
                    Some(left),
                    amount.max(Decimal::ZERO),
                    shipping.max(Decimal::ZERO),
                    &line.order_line_state_reason_code,
                );
                booked.tax = share(sum_taxes(&line.taxes), amount, line.price);
                booked.shipping_tax = share(
                    sum_taxes(&line.shipping_taxes),
                    shipping,
                    line.shipping_price,
                );
                entries.push((line, cancelled(ctx, order, booked)));
            }
        }
    }
    entries
}

/// `booked` as a cancelation: its units restocked (unless the order never took the shop's
/// stock).
fn cancelled<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &Order,
    mut booked: MarketplaceRefund,
) -> MarketplaceRefund {
    booked.kind = MarketplaceRefundKind::Cancelation;
    booked.restock = ctx.settings.reduces_stock_for(order);
    booked
}

/// `total`'s share for `part` of `whole`, to the cent; all of it when `part` is all of `whole`.
fn share(total: Decimal, part: Decimal, whole: Option<Decimal>) -> Decimal {
    match whole {
        Some(whole) if whole > Decimal::ZERO && part < whole => total
            .checked_mul(part)
            .and_then(|t| t.checked_div(whole))
            .map_or(Decimal::ZERO, |t| t.round_dp(2))
            .max(Decimal::ZERO),
        _ => total,
    }
}

/// Units of the line still to ship: ordered minus what Mirakl cancelled (OR11 keeps the
/// ordered quantity on the line and lists what came off it in `cancelations[]`).
pub(crate) fn left_to_ship(line: &OrderLine) -> i64 {
    let cancelled: i64 = line
        .cancelations
        .iter()
        .filter_map(|c| c.quantity)
        .map(|q| q.max(0))
        .fold(0i64, i64::saturating_add);
    line.quantity.unwrap_or(0).saturating_sub(cancelled).max(0)
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
    let entries = taken_off(ctx, order);
    if entries.is_empty() {
        return Ok(false);
    }
    let known = known_refund_ids(ctx, &order.order_id)?;
    Ok(entries
        .iter()
        .any(|(_, r)| !known.contains(&r.mirakl_refund_id)))
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
            OrderRead::Waiting(outcome) => return Ok(outcome),
            OrderRead::Found(raw, fresh, _) => {
                order = *fresh;
                if order.order_state != OrderState::WaitingAcceptance
                    && !ACCEPTED_UNSHIPPED.contains(&order.order_state.as_str())
                {
                    enqueue_sync(ctx, &id, &raw)?;
                    return Ok(Outcome::Done("no_longer_waiting"));
                }
            }
            OrderRead::Absent => {
                return Err(JobError::Permanent(format!("order {id} is not in OR11")))
            }
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

    if shop_order.is_none() {
        // Before anything is written: an order that breaks a sanity rule is neither created
        // nor accepted (a huge one is refused by its line count, its lines never drafted).
        let violations = sanity::check(&order, ctx.settings.order_line_limit());
        if !violations.is_empty() {
            ctx.raise(implausible_problem(&id, &violations, waiting, &mapping).job(ctx.job.id))?;
            return Ok(Outcome::Done("held"));
        }
        let (_, _, unknown) = addresses(ctx, &order);
        if !unknown.is_empty() {
            // A wrong country breaks shipping zones, taxes and labels: the order waits, neither
            // accepted nor created, until the label is mapped.
            let consequence = if waiting {
                format!(
                    "The order is held, neither accepted nor refused; it is refused \
                     automatically by the marketplace at {}.",
                    deadline_text(&mapping)
                )
            } else {
                "The order is not created in the shop until its country is known.".to_owned()
            };
            let problem = country_problem(&id, &unknown, &consequence)
                .severity(Severity::Critical)
                .job(ctx.job.id);
            ctx.raise(problem)?;
            return Ok(Outcome::Done("held"));
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
                let deadline = deadline_text(&mapping);
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
        ctx.writing_to(&id)?;
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
        ctx.stock_returned(&line_skus(order.order_lines.iter()))?;
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
    ctx.writing_to(&id)?;
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
    // Mirakl puts the refused lines' units back on their offers: push the shop's truth again.
    ctx.stock_returned(&line_skus(
        order
            .order_lines
            .iter()
            .filter(|l| refused.contains(&l.order_line_id)),
    ))?;
    let note = format!("Accepted on the marketplace (Mirakl order {id}).");
    // The acceptance is done; a note that fails to save must not undo it.
    let _ = ctx.shop.add_order_note(shop_order, &note);
    Ok(Outcome::Done("accepted"))
}

/// The distinct SKUs of `lines`.
fn line_skus<'a>(lines: impl Iterator<Item = &'a OrderLine>) -> Vec<String> {
    lines
        .filter_map(|l| l.offer_sku.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The problem for an order held by a sanity rule: every rule broken and on which line.
fn implausible_problem(
    id: &str,
    violations: &[Violation],
    waiting: bool,
    mapping: &OrderMapping,
) -> NewProblem {
    let consequence = if waiting {
        format!(
            "It is held, neither accepted nor created in the shop, and refused automatically by \
             the marketplace at {}.",
            deadline_text(mapping)
        )
    } else {
        "It is not created in the shop.".to_owned()
    };
    let reasons: Vec<String> = violations.iter().map(Violation::to_string).collect();
    NewProblem::new(
        ProblemKind::OrderImplausible,
        EntityType::MiraklOrder,
        id.to_owned(),
        format!(
            "Order {id} breaks the connector's sanity rules: {}. {consequence}",
            reasons.join("; ")
        ),
    )
    .severity(Severity::Critical)
    .details(serde_json::json!({
        "violations": violations
            .iter()
            .map(|v| serde_json::json!({
                "rule": v.rule,
                "line": v.line.as_ref().map(|(position, _)| position),
                "order_line_id": v.line.as_ref().map(|(_, line_id)| line_id),
                "detail": v.detail,
            }))
            .collect::<Vec<_>>(),
    }))
    .hint(
        "Check the order in Mirakl: accept or refuse it there, or ask the operator to correct it.",
    )
}

/// When the marketplace refuses a waiting order by itself, for a problem's message.
fn deadline_text(mapping: &OrderMapping) -> String {
    mapping
        .acceptance_deadline
        .map(|d| d.to_rfc3339())
        .unwrap_or_else(|| "unknown".to_owned())
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
            let total = needed.entry(sku).or_default();
            *total = total.saturating_add(line.quantity.unwrap_or(0));
        }
    }
    let keeps_stock = !ctx.settings.reduces_stock_for(order);
    let mut problems = Vec::new();
    for line in &order.order_lines {
        let sku = line.offer_sku.clone().unwrap_or_default();
        match levels.get(&sku) {
            None => problems.push((line.order_line_id.clone(), sku, LineProblem::UnknownSku)),
            // The operator ships it from its own stock: the shop's stock does not limit it.
            Some(Some(available))
                if !keeps_stock && *available < needed.get(sku.as_str()).copied().unwrap_or(0) =>
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

/// An address for the shop, its country resolved to an alpha-2 code (see [`countries`]). A
/// country label nothing knows is never passed on: the address gets no country and the label
/// comes back beside it, for the caller to hold the order or raise a problem.
fn address(
    address: Option<&crate::mirakl::orders::Address>,
    labels: &BTreeMap<String, String>,
) -> (Option<Address>, Option<String>) {
    let Some(a) = address else {
        return (None, None);
    };
    let (country, unknown) =
        match countries::resolve(a.country_iso_code.as_deref(), a.country.as_deref(), labels) {
            Country::Code(code) => (code, None),
            Country::Missing => (String::new(), None),
            Country::Unknown(label) => (String::new(), Some(label)),
        };
    let text = |value: &Option<String>, max: usize| {
        value
            .as_deref()
            .map(|v| single_line(v, max))
            .unwrap_or_default()
    };
    let optional = |value: &Option<String>, max: usize| {
        value
            .as_deref()
            .map(|v| single_line(v, max))
            .filter(|v| !v.is_empty())
    };
    let address = Address {
        first_name: text(&a.firstname, MAX_NAME_CHARS),
        last_name: text(&a.lastname, MAX_NAME_CHARS),
        company: optional(&a.company, MAX_NAME_CHARS),
        street_1: text(&a.street_1, MAX_STREET_CHARS),
        street_2: optional(&a.street_2, MAX_STREET_CHARS),
        zip_code: text(&a.zip_code, MAX_CODE_CHARS),
        city: text(&a.city, MAX_NAME_CHARS),
        // As given: the shop maps a state name to its own state code where it has them.
        state: optional(&a.state, MAX_NAME_CHARS),
        country_iso_code: country,
        phone: optional(&a.phone, MAX_CODE_CHARS),
    };
    (Some(address), unknown)
}

/// The order's billing and shipping addresses, and the country labels in them nothing knows
/// (`(which address, label)`).
fn addresses<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &Order,
) -> (
    Option<Address>,
    Option<Address>,
    Vec<(&'static str, String)>,
) {
    let customer = order.customer.as_ref();
    let labels = &ctx.settings.country_label_map;
    let (billing, billing_unknown) =
        address(customer.and_then(|c| c.billing_address.as_ref()), labels);
    let (shipping, shipping_unknown) =
        address(customer.and_then(|c| c.shipping_address.as_ref()), labels);
    let mut unknown = Vec::new();
    if let Some(label) = shipping_unknown {
        unknown.push(("shipping", label));
    }
    if let Some(label) = billing_unknown {
        if !unknown.iter().any(|(_, l)| *l == label) {
            unknown.push(("billing", label));
        }
    }
    (billing, shipping, unknown)
}

/// The problem for country labels nothing knows: what the label is, and where to map it.
fn country_problem(id: &str, unknown: &[(&'static str, String)], consequence: &str) -> NewProblem {
    let labels: Vec<String> = unknown
        .iter()
        .map(|(which, label)| format!("{label:?} ({which} address)"))
        .collect();
    NewProblem::new(
        ProblemKind::Country,
        EntityType::MiraklOrder,
        id.to_owned(),
        format!(
            "Order {id}: the country {} is not a country the connector knows. {consequence}",
            labels.join(" and ")
        ),
    )
    .details(serde_json::json!({
        "labels": unknown.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(),
    }))
    .hint(
        "Add the label with its two-letter country code under Settings → Orders → Country label \
         mapping, then Retry.",
    )
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
                discount: deduced(&l.promotions),
                additional_fields: custom_fields(
                    &l.order_line_additional_fields,
                    &ctx.settings.custom_field_meta_map,
                ),
            }
        })
        .collect();
    let shipping_total: Decimal = lines.iter().map(|l| l.shipping_price).sum();
    let total: Decimal = lines.iter().map(|l| l.price).sum::<Decimal>() + shipping_total;
    let commission_total = lines.iter().map(|l| l.commission_total).sum();
    let customer = order.customer.as_ref();
    let (billing_address, shipping_address, _) = addresses(ctx, order);
    let additional_fields = custom_fields(
        &order.order_additional_fields,
        &ctx.settings.custom_field_meta_map,
    );
    let notes = customer_notes(order, &additional_fields, &lines);
    let status = ctx
        .settings
        .shop_status_for(order.order_state.as_str())
        .unwrap_or("on-hold")
        .to_owned();
    let prices_include_tax = ctx.order_tax_mode(order) == TaxMode::TaxIncluded;
    ShopOrderDraft {
        mirakl_order_id: order.order_id.clone(),
        commercial_id: order
            .commercial_id
            .as_deref()
            .map(|c| single_line(c, MAX_CODE_CHARS)),
        currency: order.currency_iso_code.clone().unwrap_or_default(),
        prices_include_tax,
        lines,
        shipping_total,
        total,
        commission_total,
        customer_first_name: customer.and_then(|c| label_text(c.firstname.as_deref())),
        customer_last_name: customer.and_then(|c| label_text(c.lastname.as_deref())),
        billing_address,
        shipping_address,
        status,
        amounts: OrderAmounts::default(),
        shipping: shipping_method(ctx, order),
        additional_fields,
        notes,
        fee_line: None,
        fulfillment_center_code: order
            .fulfillment_center()
            .map(|code| plain_text(code, MAX_LABEL_CHARS)),
        reduce_stock: ctx.settings.reduces_stock_for(order),
    }
    .priced(&ctx.settings.commission)
}

/// Most custom fields kept per order or line; more are dropped (Mirakl's own limit is lower).
const MAX_CUSTOM_FIELDS: usize = 50;
/// Longest custom field code kept.
const MAX_FIELD_CODE_CHARS: usize = 64;
/// Longest custom field value (or shipping label) kept, in characters.
const MAX_FIELD_VALUE_CHARS: usize = 2000;
const MAX_LABEL_CHARS: usize = 200;
/// Longest name, city or company kept (shop address fields).
const MAX_NAME_CHARS: usize = 200;
/// Longest street line kept.
const MAX_STREET_CHARS: usize = 255;
/// Longest postcode, phone or commercial id kept.
const MAX_CODE_CHARS: usize = 64;

/// What the line's promotions took off it (their positive `deduced_amount`s).
fn deduced(promotions: &[crate::mirakl::orders::Promotion]) -> Decimal {
    promotions
        .iter()
        .filter_map(|p| p.deduced_amount)
        .filter(|a| *a > Decimal::ZERO)
        .sum()
}

/// Mirakl custom fields as the shop keeps them: codes of `[A-Za-z0-9_.-]`, values as plain text
/// (a list joined with commas), empty ones dropped, everything bounded.
fn custom_fields(
    fields: &[crate::mirakl::model::AdditionalField],
    meta_map: &BTreeMap<String, String>,
) -> Vec<CustomField> {
    fields
        .iter()
        .filter_map(|f| {
            let code: String = f
                .code
                .trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .take(MAX_FIELD_CODE_CHARS)
                .collect();
            let value = field_text(&f.value, 0)?;
            let meta_key = meta_map
                .get(&code)
                .filter(|key| super::super::settings::is_free_meta_key(key))
                .cloned();
            (!code.is_empty()).then_some(CustomField {
                code,
                value,
                meta_key,
            })
        })
        .take(MAX_CUSTOM_FIELDS)
        .collect()
}

fn field_text(value: &Value, depth: u8) -> Option<String> {
    let text = match value {
        Value::Null | Value::Object(_) => return None,
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) if depth > 0 => return None,
        Value::Array(items) => items
            .iter()
            .filter_map(|v| field_text(v, depth + 1))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let text = plain_text(&text, MAX_FIELD_VALUE_CHARS);
    (!text.is_empty()).then_some(text)
}

/// Text without control characters (line breaks kept), trimmed, at most `max` characters.
fn plain_text(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| *c != '\0')
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn label_text(text: Option<&str>) -> Option<String> {
    text.map(|t| single_line(t, MAX_LABEL_CHARS))
        .filter(|t| !t.is_empty())
}

/// The shipping line: titled from Mirakl's `shipping_type_label` (else its code), with the
/// shop's own method where the settings map the type to one.
fn shipping_method<T: Transport, B: CallBudget>(
    ctx: &Ctx<'_, T, B>,
    order: &Order,
) -> Option<ShippingMethod> {
    let type_code = label_text(order.shipping_type_code.as_deref());
    let title = label_text(order.shipping_type_label.as_deref()).or_else(|| type_code.clone())?;
    let method_id = type_code
        .as_deref()
        .and_then(|code| ctx.settings.shipping_method_for(code))
        .map(str::to_owned);
    Some(ShippingMethod {
        title,
        type_code,
        zone_code: label_text(order.shipping_zone_code.as_deref()),
        zone_label: label_text(order.shipping_zone_label.as_deref()),
        method_id,
    })
}

/// Notes the merchant must see on the order: a message the customer sent, and custom fields
/// that carry a message (a gift message), order's and lines' alike.
fn customer_notes(order: &Order, fields: &[CustomField], lines: &[ShopOrderLine]) -> Vec<String> {
    let mut notes = Vec::new();
    if order.has_customer_message == Some(true) {
        notes.push(
            "The customer sent a message about this order on the marketplace: read and answer \
             it in Mirakl."
                .to_owned(),
        );
    }
    let is_message = |code: &str| {
        let code = code.to_ascii_lowercase();
        code.contains("message") || code.contains("gift")
    };
    for field in fields.iter().filter(|f| is_message(&f.code)) {
        notes.push(format!(
            "Customer message ({}): {}",
            field.code, field.value
        ));
    }
    for line in lines {
        for field in line
            .additional_fields
            .iter()
            .filter(|f| is_message(&f.code))
        {
            notes.push(format!(
                "Customer message for {} ({}): {}",
                line.sku, field.code, field.value
            ));
        }
    }
    notes
}

/// Applies a Mirakl state change to the shop order and mirrors Mirakl's refunds into the shop.
/// The order's new state is saved first: a side step that fails (the shop refusing a refund, a
/// status it cannot set) never leaves the order behind, and shipping goes on.
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
            let conflicts = mirror_refunds(ctx, &order, shop_order)?;
            if conflicts > 0 {
                return Ok(Outcome::Done("refund_conflict"));
            }
        }
        return Ok(Outcome::Done("stale"));
    }
    let mut updated = OrderMapping::new(id.clone(), state);
    updated.shipping_deadline = order.shipping_deadline;
    ctx.store.upsert_order(&updated)?;
    // A retry (after a failed side step or by hand) does the side steps again: each is
    // idempotent, and the state saved above no longer says what changed.
    let changed = mapping.state != state || ctx.job.attempts > 0;
    let mut conflicts = 0;
    if let Some(shop_order) = mapping.wc_order_id {
        match order.order_state {
            OrderState::Canceled | OrderState::Refused => {
                let reason = format!("Mirakl order {id} is {state}: cancelled and restocked.");
                ctx.shop.cancel_order(shop_order, &reason)?;
                expected::record_cancelled(ctx.store, &id)?;
                // Restocked in the shop, and Mirakl put the units back on the offers.
                ctx.stock_returned(&line_skus(order.order_lines.iter()))?;
            }
            _ if changed => {
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
        // Lines Mirakl cancelled or refused put their units back on the offers.
        let returned = line_skus(
            order
                .order_lines
                .iter()
                .filter(|l| matches!(l.order_line_state.as_str(), "CANCELED" | "REFUSED")),
        );
        let whole = matches!(
            order.order_state,
            OrderState::Canceled | OrderState::Refused
        );
        if changed && !whole {
            ctx.stock_returned(&returned)?;
        }
        conflicts = mirror_refunds(ctx, &order, shop_order)?;
    }
    Ok(Outcome::Done(if conflicts > 0 {
        "refund_conflict"
    } else {
        "synced"
    }))
}

/// Gives the shop order the addresses Mirakl shows now: operators often reveal them only once
/// the order is paid, after the shop order was created without them.
fn update_addresses<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &Order,
    shop_order: i64,
) -> Result<(), JobError> {
    let (billing, shipping, unknown) = addresses(ctx, order);
    if !unknown.is_empty() {
        // The order is already in the shop: it keeps going, with no country rather than a
        // wrong one, and a person maps the label.
        let problem = country_problem(
            &order.order_id,
            &unknown,
            "The shop order got the address without a country: map the label, and enter the \
             country on the order.",
        )
        // No Retry: the order is in the shop already; a person enters the country there.
        .severity(Severity::Error);
        ctx.raise(problem)?;
    }
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

/// Records in the shop each Mirakl refund the store does not know yet; returns how many the
/// shop refused. A refused one becomes a problem on that refund, with the amounts on both
/// sides, and the others still go in; it is tried again by every later sync of the order and
/// by Retry.
fn mirror_refunds<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &Order,
    shop_order: i64,
) -> Result<u32, JobError> {
    let records = ctx.store.refunds_for_order(&order.order_id)?;
    // One of our OR28 calls is in doubt: its refund may be among these, and mirroring it would
    // echo our own refund back into the shop. The refund job settles it first.
    if records.iter().any(|r| r.state == REFUND_SENDING) {
        return Ok(0);
    }
    let known: BTreeSet<String> = records
        .iter()
        .flat_map(|r| r.mirakl_refund_ids.iter().cloned())
        .collect();
    let mut conflicts = 0;
    for (line, mut marketplace_refund) in taken_off(ctx, order) {
        if known.contains(&marketplace_refund.mirakl_refund_id) {
            continue;
        }
        // The reason's label only for what is recorded now (not for every poll that asks
        // whether anything is new).
        let reason_type = match marketplace_refund.kind {
            MarketplaceRefundKind::Refund => "REFUND",
            MarketplaceRefundKind::Cancelation => "CANCELATION",
        };
        marketplace_refund.reason_label = reference::reason_label(
            ctx.store,
            reason_type,
            marketplace_refund.reason_code.as_deref(),
        );
        // The line was already cancelled as a whole (CANCELED without entries): entries
        // Mirakl lists later are part of that, never a second refund and restock.
        let whole_line = line_cancelation_key(line);
        if marketplace_refund.kind == MarketplaceRefundKind::Cancelation
            && marketplace_refund.mirakl_refund_id != whole_line
        {
            if let Some(record) = records
                .iter()
                .find(|r| r.mirakl_refund_ids.contains(&whole_line))
            {
                let mut record = record.clone();
                record
                    .mirakl_refund_ids
                    .push(marketplace_refund.mirakl_refund_id.clone());
                ctx.store.upsert_refund(&record)?;
                continue;
            }
        }
        let shop_refund = match ctx
            .shop
            .record_marketplace_refund(shop_order, &marketplace_refund)
        {
            Ok(shop_refund) => shop_refund,
            Err(ShopError::Rejected { reason }) => {
                conflicts += 1;
                refund_conflict(
                    ctx,
                    order,
                    line,
                    &marketplace_refund,
                    shop_order,
                    &records,
                    &reason,
                )?;
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        // Cancelled units are back in the shop's stock: Mirakl hears the new level, marked
        // before the refunds map row so a crash in between cannot lose the push.
        if marketplace_refund.restock {
            ctx.stock_returned(&marketplace_refund.sku.iter().cloned().collect::<Vec<_>>())?;
        }
        // What finance expects, before the refunds map row: a crash in between records it
        // again under the same key. A cancelation made before the customer was debited is
        // taken off the order (Mirakl debits only what is left); any other is a refund, as
        // the shop booked it (its tax split).
        if let Some(cancelation) = before_debit(order, line, &marketplace_refund) {
            expected::record_cancelation_before_debit(ctx.store, &order.order_id, cancelation)?;
        } else if let Some(booked) = ctx.shop.read_refund(shop_refund)? {
            expected::record_refund(ctx.store, &order.order_id, &booked)?;
        }
        let mut record = RefundRecord::new(shop_refund, order.order_id.clone(), "mirrored");
        record.mirakl_refund_ids = vec![marketplace_refund.mirakl_refund_id.clone()];
        ctx.store.upsert_refund(&record)?;
    }
    Ok(conflicts)
}

/// A cancelation Mirakl made before the customer's debit, as finance expects it taken off the
/// order: when the order is not debited yet, or was debited after the cancelation.
fn before_debit(
    order: &Order,
    line: &OrderLine,
    refund: &MarketplaceRefund,
) -> Option<expected::ExpectedCancelation> {
    if refund.kind != MarketplaceRefundKind::Cancelation {
        return None;
    }
    let entry = line
        .cancelations
        .iter()
        .find(|c| entry_key(line, c) == refund.mirakl_refund_id);
    let made = entry.and_then(|c| c.created_date);
    let debited_after = match (order.customer_debited_date, made) {
        (None, _) => true,
        (Some(debited), Some(made)) => made <= debited,
        // Debited, and no date says the cancelation came first: a refund after the debit.
        (Some(_), None) => false,
    };
    if !debited_after {
        return None;
    }
    let net = |amount: Decimal, tax: Decimal| {
        if refund.prices_include_tax {
            amount - tax
        } else {
            amount
        }
    };
    let (commission_fee, commission_vat) = match entry {
        Some(c) => (
            c.commission_amount.unwrap_or_default(),
            sum_taxes(&c.commission_taxes),
        ),
        // The rest of the line is gone: so is the commission its entries did not give back.
        None => (
            line.commission_fee.unwrap_or_default()
                - line
                    .cancelations
                    .iter()
                    .filter_map(|c| c.commission_amount)
                    .sum::<Decimal>(),
            line.commission_vat.unwrap_or_default()
                - line
                    .cancelations
                    .iter()
                    .map(|c| sum_taxes(&c.commission_taxes))
                    .sum::<Decimal>(),
        ),
    };
    Some(expected::ExpectedCancelation {
        key: refund.mirakl_refund_id.clone(),
        mirakl_order_line_id: line.order_line_id.clone(),
        amount: net(refund.amount, refund.tax),
        shipping: net(refund.shipping_amount, refund.shipping_tax),
        tax: refund.tax,
        shipping_tax: refund.shipping_tax,
        commission_fee,
        commission_vat,
    })
}

/// The problem for a Mirakl refund the shop refused to record: what Mirakl refunded on the
/// line and what the shop already has refunded on the order.
fn refund_conflict<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    order: &Order,
    line: &OrderLine,
    refund: &MarketplaceRefund,
    shop_order: i64,
    records: &[RefundRecord],
    reason: &str,
) -> Result<(), JobError> {
    let mut shop_refunded = Decimal::ZERO;
    for record in records {
        if let Some(shop_refund) = ctx.shop.read_refund(record.wc_refund_id)? {
            shop_refunded += shop_refund.lines.iter().map(|l| l.amount).sum::<Decimal>()
                + shop_refund.shipping_amount;
        }
    }
    let mirakl_refunded: Decimal = order
        .order_lines
        .iter()
        .flat_map(|l| l.refunds.iter())
        .map(|r| r.amount.unwrap_or_default() + r.shipping_amount.unwrap_or_default())
        .sum();
    let id = &order.order_id;
    let amount = refund.gross();
    let what = match refund.kind {
        MarketplaceRefundKind::Refund => "refund",
        MarketplaceRefundKind::Cancelation => "cancelation",
    };
    ctx.raise(
        NewProblem::new(
            ProblemKind::MarketplaceRefundConflict,
            EntityType::MiraklRefund,
            refund.mirakl_refund_id.clone(),
            format!(
                "WooCommerce refused the {what} of {amount} Mirakl made on order {id} (line {}): \
                 {reason}. Mirakl has refunded {mirakl_refunded} on the order, WooCommerce \
                 {shop_refunded} through the connector.",
                line.order_line_id
            ),
        )
        .details(serde_json::json!({
            "mirakl_order_id": id,
            "shop_order_id": shop_order,
            "mirakl_order_line_id": line.order_line_id,
            "mirakl_refund_amount": refund.amount.to_string(),
            "mirakl_refund_shipping_amount": refund.shipping_amount.to_string(),
            "mirakl_line_price": line.price.unwrap_or_default().to_string(),
            "mirakl_refunded_total": mirakl_refunded.to_string(),
            "shop_refunded_total": shop_refunded.to_string(),
            "shop_reason": reason,
        }))
        .job(ctx.job.id)
        .hint(
            "Compare the refunds on both sides; correct the WooCommerce refunds, then retry. \
             Shipping and status sync go on meanwhile.",
        ),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_re_read_order_that_could_not_be_read_is_not_reported_absent() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "order_id": "A-1", "order_state": "SHIPPING"
        }))
        .unwrap();
        let raw = serde_json::json!({"order_id": "A-1"});
        let ids = ["A-1", "GIANT-1", "GONE-1"].map(str::to_owned).to_vec();
        let seen = served_reads(ids, vec![(raw.clone(), order)], &["GIANT-1".to_owned()]);
        assert_eq!(
            seen,
            vec![("A-1".to_owned(), Some(raw)), ("GONE-1".to_owned(), None)],
            "the unreadable order's request stays open; the one OR11 did not list is absent"
        );
    }
}
