//! The engine's jobs, one module per flow, and what they share: the context a job runs in, its
//! outcome, and helpers for OR11 reads, problems and stock bookkeeping. A job never sleeps and
//! never retries a Mirakl write blindly: it returns an outcome or an error and the engine decides
//! (finish, release until a budget allows, or fail with backoff).

pub(crate) mod deadlines;
pub(crate) mod offers;
pub(crate) mod orders;
pub mod reference;
pub(crate) mod refunds;
pub(crate) mod shipping;
pub(crate) mod stock;

use crate::vocab::{EntityType, ProblemKind};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::mirakl::model::TaxMode;
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
        result
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

    /// OR11 for `query`, every page. Orders that cannot be read become problems; an error after
    /// the first page ends the list early. `complete` is false in both cases.
    pub fn fetch_orders(&mut self, mut query: OrderQuery) -> Result<FetchedOrders, MiraklError> {
        query.order_tax_mode = Some(self.tax_mode());
        let page_size = u64::from(query.page_size());
        let mut fetched = FetchedOrders {
            orders: Vec::new(),
            complete: true,
        };
        let mut offset: u64 = 0;
        loop {
            let request = mirakl_orders::list(&query, offset);
            let page = match self.mirakl(ApiCode::OR11, |c| c.send_json::<Value>(request)) {
                Ok(page) => page,
                Err(error) if offset == 0 => return Err(error),
                Err(_) => {
                    fetched.complete = false;
                    break;
                }
            };
            let items = page
                .get("orders")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let count = items.len() as u64;
            for raw in items {
                match serde_json::from_value::<Order>(raw.clone()) {
                    Ok(order) => fetched.orders.push((raw, order)),
                    Err(error) => {
                        fetched.complete = false;
                        let id = raw
                            .get("order_id")
                            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                            .unwrap_or_else(|| "unknown".to_owned());
                        let problem = NewProblem::new(
                            ProblemKind::OrderUnreadable,
                            EntityType::MiraklOrder,
                            id,
                            format!("OR11 returned an order the connector cannot read: {error}"),
                        )
                        .hint("Report this order to support; it is retried on every poll.");
                        // A failure to record the problem must not hide the other orders.
                        let _ = self.raise(problem);
                    }
                }
            }
            offset += count;
            let total = page.get("total_count").and_then(Value::as_u64);
            if count < page_size || total.is_some_and(|t| offset >= t) || count == 0 {
                break;
            }
        }
        Ok(fetched)
    }

    /// OR11 for one order (the read-before-resend after an unknown outcome).
    pub fn read_order(
        &mut self,
        mirakl_order_id: &str,
    ) -> Result<Option<(Value, Order)>, MiraklError> {
        let query = OrderQuery {
            order_ids: vec![mirakl_order_id.to_owned()],
            ..OrderQuery::default()
        };
        let fetched = self.fetch_orders(query)?;
        Ok(fetched
            .orders
            .into_iter()
            .find(|(_, order)| order.order_id == mirakl_order_id))
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
