//! The engine's jobs, one module per flow, and what they share: the context a job runs in, its
//! outcome, and helpers for OR11 reads, problems and stock bookkeeping. A job never sleeps and
//! never retries a Mirakl write blindly: it returns an outcome or an error and the engine decides
//! (finish, release until a budget allows, or fail with backoff).

pub(crate) mod deadlines;
pub(crate) mod offers;
pub(crate) mod orders;
pub mod reference;
pub(crate) mod refunds;
pub(crate) mod sanity;
pub(crate) mod shipping;
pub(crate) mod stock;
pub(crate) mod sweep;

use crate::vocab::{EntityType, ProblemKind};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::mirakl::model::TaxMode;
use crate::mirakl::order_page::UnreadableOrder;
use crate::mirakl::orders::{self as mirakl_orders, Order, OrderQuery};
use crate::mirakl::{ApiCode, CallBudget, Client, MiraklError, Transport};
use crate::store::{Clock, Job, NewProblem, Store, StoreError};

use super::report::{RaisedProblem, TickReport};
use super::settings::SyncSettings;
use super::shop::{Shop, ShopError};

pub use crate::vocab::JobKind;

/// Claim priorities: acceptance first (the costliest failure), then the writes a merchant waits
/// for (ahead of polling: they may need the OR11 slot to read an order, and the poll comes back
/// every minute anyway), then polling, then stock, then housekeeping.
pub mod priority {
    pub const IMPORT_ORDER: i32 = 100;
    /// A poll kept waiting by shipments and refunds for two intervals.
    pub const POLL_STARVED: i32 = 98;
    pub const SHIP_OR_REFUND: i32 = 95;
    pub const POLL_ORDERS: i32 = 90;
    pub const SYNC_ORDER: i32 = 50;
    pub const STOCK: i32 = 40;
    pub const OFFERS: i32 = 20;
    pub const HOUSEKEEPING: i32 = 10;
}

/// How a job attempt ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Finished; the label goes into the tick report.
    Done(&'static str),
    /// Not finished but nothing went wrong (an import still running, an order not yet payable):
    /// back to the queue at this time without counting an attempt.
    Later(DateTime<Utc>, &'static str),
}

/// Why a job attempt failed.
#[derive(Debug)]
pub(crate) enum JobError {
    Mirakl(MiraklError),
    Shop(ShopError),
    Store(StoreError),
    /// No retry can help: the job dies and its problem tells a human.
    Permanent(String),
    /// The job panicked (caught by the engine): it is parked, never retried on its own.
    Panicked(String),
}

impl From<MiraklError> for JobError {
    fn from(e: MiraklError) -> JobError {
        JobError::Mirakl(e)
    }
}

impl From<ShopError> for JobError {
    fn from(e: ShopError) -> JobError {
        JobError::Shop(e)
    }
}

impl From<super::error::SyncError> for JobError {
    fn from(e: super::error::SyncError) -> JobError {
        use super::error::SyncError;
        match e {
            SyncError::Store(e) => JobError::Store(e),
            SyncError::Mirakl(e) => JobError::Mirakl(e),
            SyncError::Shop(e) => JobError::Shop(e),
            other => JobError::Permanent(other.to_string()),
        }
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> JobError {
        JobError::Store(e)
    }
}

pub(crate) type JobResult = Result<Outcome, JobError>;

/// Everything a job may touch while it runs.
pub(crate) struct Ctx<'a, T, B> {
    pub store: &'a Store,
    pub client: &'a Client<T, B>,
    pub settings: &'a SyncSettings,
    pub shop: &'a mut dyn Shop,
    pub clock: &'a dyn Clock,
    pub report: &'a mut TickReport,
    pub job: &'a Job,
}

impl<'a, T: Transport, B: CallBudget> Ctx<'a, T, B> {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs one Mirakl call and counts it in the report if it left the machine.
    pub fn mirakl<R>(
        &mut self,
        api: ApiCode,
        call: impl FnOnce(&Client<T, B>) -> Result<R, MiraklError>,
    ) -> Result<R, MiraklError> {
        let result = call(self.client);
        let sent = !matches!(
            result,
            Err(MiraklError::BudgetExhausted { .. })
                | Err(MiraklError::BudgetUnavailable { .. })
                | Err(MiraklError::Invalid { .. })
        );
        if sent {
            self.report.call(api.as_str());
        }
        self.note_refusal(api, &result);
        result
    }

    /// Raises one `mirakl_response_refused` problem per API and reason when `result` was
    /// refused by the connector's limits (too large, too slow, too long a `Retry-After`), and
    /// heals that API's such problems once it answers. This bookkeeping never turns a good
    /// answer into a failure nor hides the call's own error: a store failure here is dropped
    /// (the next call notes it again).
    fn note_refusal<R>(&mut self, api: ApiCode, result: &Result<R, MiraklError>) {
        let refusal = match result {
            Ok(_) => None,
            Err(error) => match error.refusal() {
                Some(refusal) => Some(refusal),
                None => return,
            },
        };
        if let Ok(Some(record)) = self.store.note_api_answer(api, refusal, Some(self.job.id)) {
            self.report
                .problems
                .push(RaisedProblem::from_record(record));
        }
    }

    /// Raises (or counts again) a problem and notes it in the report.
    pub fn raise(&mut self, problem: NewProblem) -> Result<(), StoreError> {
        let record = self.store.raise_problem(&problem)?;
        self.report
            .problems
            .push(RaisedProblem::from_record(record));
        Ok(())
    }

    /// Whether an earlier attempt of this job may have sent its write: the job must then read
    /// Mirakl's state before sending anything again.
    pub fn may_have_written(&self) -> bool {
        self.job.attempts > 0
    }

    pub fn tax_mode(&self) -> TaxMode {
        TaxMode::parse(&self.settings.order_tax_mode)
    }

    /// The tax mode `order`'s amounts are in: its own `order_tax_mode`, else the one the poll
    /// asked for.
    pub fn order_tax_mode(&self, order: &crate::mirakl::orders::Order) -> TaxMode {
        match &order.order_tax_mode {
            Some(mode @ (TaxMode::TaxIncluded | TaxMode::TaxExcluded)) => mode.clone(),
            _ => self.tax_mode(),
        }
    }

    /// OR11 for `query`, every page the call budget allows (pages count as calls, so in
    /// practice the first). Orders that cannot be read become problems; an error after the
    /// first page ends the list early. `complete` is false in both cases.
    pub fn fetch_orders(&mut self, query: OrderQuery) -> Result<FetchedOrders, MiraklError> {
        let mut fetched = FetchedOrders {
            orders: Vec::new(),
            complete: true,
        };
        let mut offset: u64 = 0;
        loop {
            let page = match self.fetch_page(&query, offset) {
                Ok(page) => page,
                Err(error) if offset == 0 => return Err(error),
                Err(_) => {
                    fetched.complete = false;
                    break;
                }
            };
            fetched.complete &= page.unreadable == 0;
            offset += page.count;
            fetched.orders.extend(page.orders);
            if page.last {
                break;
            }
        }
        Ok(fetched)
    }

    /// One OR11 page of `query` at `offset` (one call against the OR11 budget). Orders that
    /// cannot be read become problems and are counted in `unreadable`.
    pub fn fetch_page(
        &mut self,
        query: &OrderQuery,
        offset: u64,
    ) -> Result<OrderPage, MiraklError> {
        let mut query = query.clone();
        query.order_tax_mode = Some(self.tax_mode());
        let page_size = u64::from(query.page_size());
        let request = mirakl_orders::list(&query, offset);
        // The page's envelope only: each order stays raw text, decoded on its own below, so one
        // order nested too deep (or otherwise unreadable) never hides the rest of the page.
        let page = self.mirakl(ApiCode::OR11, |c| c.send_json::<RawOrderPage>(request))?;
        let items = page.orders.unwrap_or_default();
        let dropped = page.unreadable_orders.unwrap_or_default();
        let count = (items.len() + dropped.len()) as u64;
        let total = page.total_count.as_ref().and_then(Value::as_u64);
        let mut fetched = OrderPage {
            orders: Vec::with_capacity(items.len()),
            count,
            total,
            unreadable: 0,
            last: count < page_size || total.is_some_and(|t| offset + count >= t) || count == 0,
        };
        for order in dropped {
            fetched.unreadable += 1;
            let problem = self.dropped_order_problem(&order);
            // A failure to record the problem must not hide the other orders.
            let _ = self.raise(problem);
        }
        for item in items {
            let decoded = serde_json::from_str::<Value>(item.get()).and_then(|raw| {
                serde_json::from_value::<Order>(raw.clone()).map(|order| (raw, order))
            });
            match decoded {
                Ok(pair) => fetched.orders.push(pair),
                Err(error) => {
                    fetched.unreadable += 1;
                    let id = raw_order_id(&item).unwrap_or_else(|| "unknown".to_owned());
                    let problem = NewProblem::new(
                        ProblemKind::OrderUnreadable,
                        EntityType::MiraklOrder,
                        id,
                        format!("OR11 returned an order the connector cannot read: {error}"),
                    )
                    .hint("Report this order to support; it is read again when it changes.");
                    // A failure to record the problem must not hide the other orders.
                    let _ = self.raise(problem);
                }
            }
        }
        Ok(fetched)
    }

    /// The problem for an order of a page the transport dropped: what it was, and what to do.
    fn dropped_order_problem(&self, order: &UnreadableOrder) -> NewProblem {
        let id = order
            .order_id
            .clone()
            .unwrap_or_else(|| "unknown".to_owned());
        let lines = order
            .lines
            .map(|n| format!(" with {n} lines"))
            .unwrap_or_default();
        let (message, hint) = if order.reason == "too_large" {
            let cap = self.client.limits().json_bytes;
            (
                format!(
                    "OR11 returned order {id}{lines} in {} bytes, more than the {cap} bytes the \
                     connector reads for one order (connection setting max_response_mib); it is \
                     not imported.",
                    order.bytes
                ),
                format!(
                    "Check the order in Mirakl. An order this large is most likely broken: ask \
                     the operator. A genuine one needs a larger max_response_mib; at most {} \
                     lines are accepted per order (Most lines per order).",
                    self.settings.max_order_lines
                ),
            )
        } else {
            (
                format!(
                    "OR11 returned an order the connector cannot read ({id}{lines}, {} bytes): {}",
                    order.bytes, order.reason
                ),
                "Report this order to support; it is read again when it changes.".to_owned(),
            )
        };
        NewProblem::new(
            ProblemKind::OrderUnreadable,
            EntityType::MiraklOrder,
            id,
            message,
        )
        .details(serde_json::json!({
            "bytes": order.bytes,
            "lines": order.lines,
            "reason": order.reason,
        }))
        .hint(hint)
    }

    /// A fresh OR11 view of one order (the read-before-resend after an unknown outcome, what
    /// is left to refund). Served by the order poll's shared re-read: the first call files a
    /// request and the job waits ([`OrderRead::Waiting`]); the poll reads every waiting
    /// request in one OR11 call and wakes the jobs, which then find the view here.
    pub fn read_order(&mut self, mirakl_order_id: &str) -> Result<OrderRead, JobError> {
        if let Some(snapshot) = self
            .store
            .take_order_snapshot(mirakl_order_id, self.job.id)?
        {
            let Some(raw) = snapshot.payload else {
                return Ok(OrderRead::Absent);
            };
            let order = serde_json::from_value::<Order>(raw.clone()).map_err(|e| {
                JobError::Permanent(format!("unreadable order {mirakl_order_id}: {e}"))
            })?;
            if order.order_id != mirakl_order_id {
                return Ok(OrderRead::Absent);
            }
            return Ok(OrderRead::Found(raw, Box::new(order), snapshot.fetched_at));
        }
        self.store
            .request_order_read(mirakl_order_id, self.job.id)?;
        // The poll wakes the job when it serves the request; this is only the fallback.
        let at = self.now() + chrono::Duration::seconds(5 * self.settings.order_poll_interval_secs);
        Ok(OrderRead::Waiting(Outcome::Later(at, "awaiting_read")))
    }

    /// The map row of a shop order, for a job acting on it (a shipment, a refund). A shop order
    /// carries its Mirakl id from the save that created it, so one the map does not know yet
    /// (a crash between the shop's commit and the map's write) is adopted when the map has
    /// its Mirakl order without a shop id, and waited for while the import has not run.
    pub fn shop_order_mapping(&mut self, shop_order: i64) -> Result<Mapped, JobError> {
        if let Some(mapping) = self.store.order_by_wc_id(shop_order)? {
            return Ok(Mapped::Row(mapping));
        }
        let Some(mirakl_order_id) = self.shop.mirakl_order_id_of(shop_order)? else {
            return Ok(Mapped::NotMarketplace);
        };
        match self.store.order(&mirakl_order_id)? {
            Some(mut mapping) if mapping.wc_order_id.is_none() => {
                mapping.wc_order_id = Some(shop_order);
                self.store.upsert_order(&mapping)?;
                Ok(Mapped::Row(mapping))
            }
            Some(mapping) => Err(JobError::Permanent(format!(
                "shop order {shop_order} carries Mirakl order {mirakl_order_id}, which is mapped \
                 to shop order {}",
                mapping.wc_order_id.unwrap_or_default()
            ))),
            None => {
                let now = self.now();
                if self.job.created_at < now - chrono::Duration::hours(IMPORT_WAIT_HOURS) {
                    return Err(JobError::Permanent(format!(
                        "shop order {shop_order} carries Mirakl order {mirakl_order_id}, which \
                         was not imported after {IMPORT_WAIT_HOURS} h"
                    )));
                }
                let at = now + chrono::Duration::seconds(self.settings.order_poll_interval_secs);
                Ok(Mapped::Waiting(Outcome::Later(at, "awaiting_import")))
            }
        }
    }

    /// Before the engine writes to an order on Mirakl: no job may act on a view older than
    /// this write.
    pub fn writing_to(&self, mirakl_order_id: &str) -> Result<(), StoreError> {
        self.store.forget_order_snapshot(mirakl_order_id)
    }

    /// Marks `skus` dirty for the next stock slot after Mirakl put units back on their offers
    /// (refused or cancelled lines): the ledger's last push no longer says what Mirakl shows.
    pub fn stock_returned(&mut self, skus: &[String]) -> Result<(), JobError> {
        if skus.is_empty() {
            return Ok(());
        }
        let levels = self.shop.read_stock(skus)?;
        for level in levels {
            if let Some(quantity) = level.quantity {
                stock::mark_dirty(self.store, self.settings, &level.sku, quantity)?;
            }
        }
        stock::schedule_push(self.store, self.settings, true, self.now())?;
        Ok(())
    }

    /// Reads the shop's stock of `skus` after the engine changed it (an order created or
    /// cancelled) and marks them dirty so the next slot pushes them.
    pub fn refresh_stock(&mut self, skus: &[String]) -> Result<(), JobError> {
        if skus.is_empty() {
            return Ok(());
        }
        let levels = self.shop.read_stock(skus)?;
        let now = self.now();
        for level in levels {
            if let Some(quantity) = level.quantity {
                stock::note_shop_quantity(self.store, self.settings, &level.sku, quantity, now)?;
            }
        }
        Ok(())
    }
}

/// Which Mirakl import is still running.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MiraklImport {
    Stock,
    Offer,
}

impl MiraklImport {
    fn name(self) -> &'static str {
        match self {
            MiraklImport::Stock => "stock",
            MiraklImport::Offer => "offer",
        }
    }

    fn stuck(self) -> (ProblemKind, EntityType) {
        match self {
            MiraklImport::Stock => (ProblemKind::StockImportStuck, EntityType::StockImport),
            MiraklImport::Offer => (ProblemKind::OfferImportStuck, EntityType::OfferImport),
        }
    }
}

/// The outcome for an import (STO01, OF01) Mirakl still processes: poll again after `spacing`,
/// or give up with a warning once `give_up_after` has passed since the job was queued.
pub(crate) fn import_still_running<T: Transport, B: CallBudget>(
    ctx: &mut Ctx<'_, T, B>,
    import: MiraklImport,
    import_id: &str,
    status: &str,
    spacing: chrono::Duration,
    give_up_after: chrono::Duration,
) -> JobResult {
    let now = ctx.now();
    if ctx.job.created_at >= now - give_up_after {
        return Ok(Outcome::Later(now + spacing, "import_running"));
    }
    let (kind, entity_type) = import.stuck();
    let what = import.name();
    ctx.raise(
        NewProblem::new(
            kind,
            entity_type,
            import_id.to_owned(),
            format!(
                "The {what} import {import_id} is still {status} after {} h",
                give_up_after.num_hours()
            ),
        )
        .severity(crate::store::Severity::Warning),
    )?;
    Ok(Outcome::Done("gave_up"))
}

/// One OR11 page: each order raw and parsed, how many the page held, the query's total, and
/// whether it was the query's last page.
pub(crate) struct OrderPage {
    pub orders: Vec<(Value, Order)>,
    pub count: u64,
    pub total: Option<u64>,
    pub unreadable: u64,
    pub last: bool,
}

/// How long a shipment or refund waits for the import of the Mirakl order its shop order
/// carries before a human is told.
const IMPORT_WAIT_HOURS: i64 = 24;

/// The map row of a shop order a job acts on, or what the job does without one.
pub(crate) enum Mapped {
    Row(crate::store::OrderMapping),
    /// Not a marketplace order: nothing to do.
    NotMarketplace,
    /// A marketplace order the map does not know yet: wait for its import.
    Waiting(Outcome),
}

/// A fresh view of one order, or the outcome to return while the shared re-read is pending.
pub(crate) enum OrderRead {
    /// The order raw and parsed, and when OR11 was read.
    Found(Value, Box<Order>, DateTime<Utc>),
    /// OR11 does not list the order.
    Absent,
    Waiting(Outcome),
}

/// An OR11 page as it arrives: the orders still raw JSON text, the total as any value.
#[derive(serde::Deserialize)]
struct RawOrderPage {
    #[serde(default)]
    orders: Option<Vec<Box<serde_json::value::RawValue>>>,
    #[serde(default)]
    total_count: Option<Value>,
    /// Orders the transport did not keep (too large, or not one JSON value): only what names
    /// them ([`crate::mirakl::order_page`]).
    #[serde(default)]
    unreadable_orders: Option<Vec<UnreadableOrder>>,
}

/// The `order_id` of an order that cannot be decoded whole (its other fields are skipped
/// without recursion, however deep), cut to 100 characters.
fn raw_order_id(item: &serde_json::value::RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        #[serde(default)]
        order_id: Option<Box<serde_json::value::RawValue>>,
    }
    let id = serde_json::from_str::<IdOnly>(item.get()).ok()?.order_id?;
    let text = serde_json::from_str::<String>(id.get()).unwrap_or_else(|_| id.get().to_owned());
    Some(text.chars().filter(|c| !c.is_control()).take(100).collect())
}

/// What an OR11 read returned: each order raw (kept as a job payload) and parsed.
pub(crate) struct FetchedOrders {
    pub orders: Vec<(Value, Order)>,
    pub complete: bool,
}

/// Units of marketplace orders seen but not yet created in the shop, per SKU: the marketplace
/// already took them off its own quantity, so a push must not give them back.
pub(crate) fn pending_marketplace_units(store: &Store) -> Result<HashMap<String, i64>, StoreError> {
    let mut units: HashMap<String, i64> = HashMap::new();
    let waiting = store.list_orders(Some("WAITING_ACCEPTANCE"), 100_000, 0)?;
    for order in waiting.into_iter().filter(|o| o.wc_order_id.is_none()) {
        let Some(job) = store.find_job(JobKind::ImportOrder.as_str(), &order.mirakl_order_id)?
        else {
            continue;
        };
        for line in job
            .payload
            .get("order_lines")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let sku = line.get("offer_sku").and_then(Value::as_str);
            let quantity = line.get("quantity").and_then(Value::as_i64).unwrap_or(0);
            if let Some(sku) = sku {
                *units.entry(sku.to_owned()).or_default() += quantity;
            }
        }
    }
    Ok(units)
}

/// The quantity to show on the marketplace: shop stock − buffer − pending units, never below 0.
pub(crate) fn marketplace_quantity(
    settings: &SyncSettings,
    shop_quantity: i64,
    pending: i64,
) -> u64 {
    let quantity = shop_quantity
        .saturating_sub(settings.stock_buffer)
        .saturating_sub(pending);
    u64::try_from(quantity.max(0)).unwrap_or(0)
}
