//! `MiraklConnector\Native\Engine`: the sync engine as the plugin sees it. Thin conversions only:
//! each method converts its arguments, calls `sync` (its `status` module for the dashboard), converts the result or error.
//!
//! Invariants: constructing an Engine opens nothing; the SQLite store is opened on first use and
//! then kept for the life of the PHP process (one per state file), and so is the engine with its
//! HTTP client (rebuilt when the settings change). Connection settings are validated when a call
//! needs Mirakl, so events are recorded even before the shop is connected.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};

use super::convert::{array_to_json, map_to_json, to_zval};
use super::export;
use super::shop::PhpShop;

use crate::error::{ErrorCode, ExportError};
use crate::finance;
use crate::mirakl::ClientConfig;
use crate::settings::{self, ConnectionSettings};
use crate::store::{Clock, Store, SystemClock};
use crate::sync::{self, status, HttpEngine, StockChange, SyncSettings};

/// The most a tick may be given: PHP's own time limits must stay the outer bound.
const MAX_TICK_BUDGET_MS: i64 = 10 * 60 * 1000;

struct CachedEngine {
    /// The settings the engine was built with; a change rebuilds it.
    settings_key: String,
    engine: HttpEngine,
}

thread_local! {
    static STORES: RefCell<HashMap<PathBuf, Rc<Store>>> = RefCell::new(HashMap::new());
    static ENGINES: RefCell<HashMap<PathBuf, CachedEngine>> = RefCell::new(HashMap::new());
}

fn year_month(year: i64, month: i64) -> Result<(i32, u32), ExportError> {
    let year = i32::try_from(year)
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let month = u32::try_from(month).ok().filter(|m| (1..=12).contains(m));
    match (year, month) {
        (Some(year), Some(month)) => Ok((year, month)),
        _ => Err(invalid_argument(
            "year/month: expected a year from 2000 to 2100 and a month from 1 to 12",
        )),
    }
}

fn invalid_argument(message: impl Into<String>) -> ExportError {
    ExportError::new(ErrorCode::InvalidArgument, message)
}

/// The store for `path`, opened once per process.
fn store_for(path: &Path) -> Result<Rc<Store>, ExportError> {
    if let Some(store) = STORES.with(|stores| stores.borrow().get(path).cloned()) {
        return Ok(store);
    }
    let store = Rc::new(Store::open(path)?);
    STORES.with(|stores| {
        stores
            .borrow_mut()
            .insert(path.to_path_buf(), Rc::clone(&store))
    });
    Ok(store)
}

/// The sync engine as PHP holds it.
#[php_class]
#[php(name = "MiraklConnector\\Native\\Engine")]
pub struct NativeEngine {
    connection: Result<ConnectionSettings, settings::SettingsError>,
    sync: SyncSettings,
    finance: finance::FinanceSettings,
    state_file: PathBuf,
}

impl NativeEngine {
    fn store(&self) -> Result<Rc<Store>, ExportError> {
        store_for(&self.state_file)
    }

    fn connection(&self) -> Result<&ConnectionSettings, ExportError> {
        self.connection.as_ref().map_err(|e| {
            ExportError::new(
                ErrorCode::InvalidSettings,
                format!("the Mirakl connection is not configured ({e})"),
            )
        })
    }

    fn client_config(&self) -> Result<ClientConfig, ExportError> {
        ClientConfig::from_settings(self.connection()?)
            .map_err(|e| ExportError::new(ErrorCode::InvalidSettings, format!("api_url: {e}")))
    }

    fn settings_key(&self) -> Result<String, ExportError> {
        let connection = self.connection()?;
        serde_json::to_string(&(connection, &self.sync, &self.sync.commission))
            .map_err(|e| ExportError::new(ErrorCode::Internal, e.to_string()))
    }

    /// Takes the cached engine out (so a callback re-entering PHP never finds it borrowed), or
    /// builds it.
    fn take_engine(&self) -> Result<CachedEngine, ExportError> {
        let key = self.settings_key()?;
        let cached = ENGINES.with(|engines| engines.borrow_mut().remove(&self.state_file));
        if let Some(cached) = cached.filter(|c| c.settings_key == key) {
            return Ok(cached);
        }
        let engine = HttpEngine::connect(self.store()?, &self.client_config()?, self.sync.clone())?;
        Ok(CachedEngine {
            settings_key: key,
            engine,
        })
    }

    fn put_engine(&self, cached: CachedEngine) {
        ENGINES.with(|engines| engines.borrow_mut().insert(self.state_file.clone(), cached));
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        SystemClock.now()
    }
}

#[php_impl]
#[php(change_method_case = "snake_case")]
impl NativeEngine {
    /// `new Engine(array $connection, array $sync, string $state_file, array $finance = [])`.
    /// Throws SettingsException for invalid sync or finance settings or an empty state file
    /// path; connection settings are checked when Mirakl is needed.
    pub fn __construct(
        connection: &ZendHashTable,
        sync: &ZendHashTable,
        state_file: String,
        finance: Option<&ZendHashTable>,
    ) -> PhpResult<Self> {
        export(|| {
            if state_file.trim().is_empty() {
                return Err(ExportError::new(
                    ErrorCode::InvalidSettings,
                    "state_file: is required",
                ));
            }
            let connection = settings::validate(&map_to_json(connection)?);
            let sync = SyncSettings::from_json(&map_to_json(sync)?.to_string())?;
            let finance = match finance {
                Some(raw) => finance::validate_settings(&map_to_json(raw)?)?,
                None => finance::FinanceSettings::default(),
            };
            Ok(NativeEngine {
                connection,
                sync: sync.with_commission(finance.commission()),
                finance,
                state_file: PathBuf::from(state_file),
            })
        })
    }

    /// Stock changed: `[['sku' => 'A', 'quantity' => 3], ...]`. Returns how many were recorded.
    pub fn stock_changed(&self, changes: &ZendHashTable) -> PhpResult<i64> {
        export(|| {
            let changes: Vec<StockChange> = serde_json::from_value(array_to_json(changes)?)
                .map_err(|e| invalid_argument(format!("stock changes: {e}")))?;
            sync::events::stock_changed(&*self.store()?, &self.sync, &changes, Self::now())?;
            Ok(i64::try_from(changes.len()).unwrap_or(i64::MAX))
        })
    }

    /// Price, title or identifiers changed for these SKUs.
    pub fn product_changed(&self, skus: &ZendHashTable) -> PhpResult<i64> {
        export(|| {
            let skus: Vec<String> = serde_json::from_value(array_to_json(skus)?)
                .map_err(|e| invalid_argument(format!("skus: {e}")))?;
            sync::events::product_changed(&*self.store()?, &skus)?;
            Ok(i64::try_from(skus.len()).unwrap_or(i64::MAX))
        })
    }

    /// An order reached the shipped status or got its tracking.
    pub fn order_shipped(&self, order_id: i64) -> PhpResult<()> {
        export(|| Ok(sync::events::order_shipped(&*self.store()?, order_id)?))
    }

    /// A refund was created on a marketplace order.
    pub fn refund_created(&self, refund_id: i64) -> PhpResult<()> {
        export(|| Ok(sync::events::refund_created(&*self.store()?, refund_id)?))
    }

    /// Queue a stock reconciliation (`full` compares the whole catalogue).
    pub fn reconcile_stock(&self, full: bool) -> PhpResult<()> {
        export(|| Ok(sync::events::reconcile_requested(&*self.store()?, full)?))
    }

    /// Queue an export of every offer.
    pub fn export_catalogue(&self) -> PhpResult<()> {
        export(|| Ok(sync::events::catalogue_export_requested(&*self.store()?)?))
    }

    /// Runs due jobs for at most `budget_ms`, calling `$shop` back; returns the tick report.
    ///
    /// A PHP fatal error inside a callback fails that job (the engine sees a transient shop
    /// error, so its transactions and leases are released) and is re-raised here once the
    /// engine has returned, so PHP ends the request the way it would have.
    pub fn tick(&self, shop: &mut ZendObject, budget_ms: i64) -> PhpResult<Zval> {
        let mut bailed_out = false;
        let mut exiting = false;
        let report = export(|| {
            if !(1..=MAX_TICK_BUDGET_MS).contains(&budget_ms) {
                return Err(invalid_argument(format!(
                    "budget_ms: must be from 1 to {MAX_TICK_BUDGET_MS}"
                )));
            }
            let budget = Duration::from_millis(u64::try_from(budget_ms).unwrap_or(1));
            let mut cached = self.take_engine()?;
            let mut php_shop = PhpShop::new(shop);
            let outcome = cached.engine.tick(&mut php_shop, budget);
            bailed_out = php_shop.bailed_out();
            exiting = php_shop.exiting();
            self.put_engine(cached);
            to_zval(&outcome?)
        });
        if exiting {
            // PHP's exit unwinding is pending: no exception may be thrown over it.
            drop(report);
            return Ok(Zval::new());
        }
        if bailed_out {
            drop(report);
            // SAFETY: every Rust frame of the tick has returned and dropped its values; the
            // bailout goes on to the `zend_try` of the handler ext-php-rs generates.
            unsafe { ext_php_rs::zend::bailout() }
        }
        report
    }

    /// The runner's health for the dashboard.
    pub fn health(&self) -> PhpResult<Zval> {
        export(|| {
            to_zval(&status::health(
                &*self.store()?,
                Self::now(),
                status::RUNNER_LATE_AFTER,
            )?)
        })
    }

    /// Problems matching `$filter` (`kind`, `state` open|resolved|all, `severity`,
    /// `entity_type`, `entity_id`, `limit`, `offset`).
    pub fn problems(&self, filter: &ZendHashTable) -> PhpResult<Zval> {
        export(|| {
            let query = status::ProblemQuery::from_json(map_to_json(filter)?)?;
            to_zval(&status::problems(&*self.store()?, &query)?)
        })
    }

    /// Marks a problem resolved; false when it was not open.
    pub fn resolve_problem(&self, id: i64) -> PhpResult<bool> {
        export(|| Ok(self.store()?.resolve_problem(id)?))
    }

    /// Re-queues the job behind a problem and closes the problem.
    pub fn retry_problem(&self, id: i64) -> PhpResult<i64> {
        export(|| Ok(self.store()?.retry_problem(id)?))
    }

    /// Tests the URL and key (V01) and reads the shop (A01, or its last answer).
    pub fn test_connection(&self) -> PhpResult<Zval> {
        export(|| {
            let cached = self.take_engine()?;
            let outcome =
                status::test_connection(cached.engine.store(), cached.engine.client(), Self::now());
            self.put_engine(cached);
            to_zval(&outcome?)
        })
    }

    /// Marketplace orders whose acceptance or shipping deadline falls within `horizon_hours`
    /// (past ones included), soonest first.
    pub fn orders_at_risk(&self, horizon_hours: i64, limit: i64) -> PhpResult<Zval> {
        export(|| {
            let horizon = Duration::from_secs(
                u64::try_from(horizon_hours.clamp(0, 24 * 365)).unwrap_or(0) * 3600,
            );
            let limit = usize::try_from(limit.clamp(1, 1000)).unwrap_or(1);
            to_zval(&status::orders_at_risk(
                &*self.store()?,
                Self::now(),
                horizon,
                limit,
            )?)
        })
    }

    /// The connector's record of a shop order (Mirakl id, state, deadlines, refunds), or null.
    pub fn order_status(&self, order_id: i64) -> PhpResult<Zval> {
        export(|| to_zval(&status::order_status(&*self.store()?, order_id)?))
    }

    /// Of these shop refunds of one order, those not sent to Mirakl yet with where each is.
    pub fn refunds_waiting(&self, refund_ids: Vec<i64>) -> PhpResult<Zval> {
        export(|| to_zval(&status::refunds_waiting(&*self.store()?, &refund_ids)?))
    }

    /// SKUs whose shop, last pushed and marketplace quantities disagree (or whose push failed).
    pub fn stock_drift(&self, limit: i64) -> PhpResult<Zval> {
        export(|| {
            let limit = usize::try_from(limit.clamp(1, 10_000)).unwrap_or(1);
            to_zval(&status::stock_drift(&*self.store()?, &self.sync, limit)?)
        })
    }

    /// One SKU's stock bookkeeping (for the product screen), or null when never seen.
    pub fn sku_status(&self, sku: String) -> PhpResult<Zval> {
        export(|| to_zval(&self.store()?.sku_ledger(&sku)?))
    }

    /// How much of each Mirakl call budget is spent in its current window.
    pub fn budgets(&self) -> PhpResult<Zval> {
        export(|| to_zval(&status::budgets(&*self.store()?)?))
    }

    /// The latest finished or dead jobs, newest first.
    pub fn recent_activity(&self, limit: i64) -> PhpResult<Zval> {
        export(|| {
            let limit = u32::try_from(limit.clamp(1, 500)).unwrap_or(1);
            to_zval(&status::recent_activity(&*self.store()?, limit)?)
        })
    }

    /// The REFUND reason codes (RE01) as last cached by the engine.
    pub fn refund_reasons(&self) -> PhpResult<Zval> {
        export(|| to_zval(&sync::reference::refund_reasons(&*self.store()?)?.unwrap_or_default()))
    }

    /// Imports the next part of the Mirakl ledger (TL02, IV01, SBC11) within its call budgets;
    /// `resume_at` in the report says when to come back if a budget stopped it.
    pub fn finance_import(&self) -> PhpResult<Zval> {
        export(|| {
            let cached = self.take_engine()?;
            let outcome = finance::import_ledger(
                cached.engine.store(),
                cached.engine.client(),
                &self.finance,
                Self::now(),
            );
            self.put_engine(cached);
            to_zval(&outcome?)
        })
    }

    /// When the ledger was last imported and when the next import is due.
    pub fn finance_import_status(&self) -> PhpResult<Zval> {
        export(|| {
            to_zval(&finance::import_status(
                &*self.store()?,
                &self.finance,
                Self::now(),
            )?)
        })
    }

    /// What only WooCommerce knows of these marketplace orders (`finance::ShopOrderReport`:
    /// line, shipping and refund figures as they stand, its own total), folded into the
    /// expected side of the matching. Returns `{recorded, total_mismatches}`.
    pub fn finance_shop_orders(&self, orders: &ZendHashTable) -> PhpResult<Zval> {
        export(|| {
            let orders: Vec<finance::ShopOrderReport> =
                serde_json::from_value(array_to_json(orders)?)
                    .map_err(|e| invalid_argument(format!("shop orders: {e}")))?;
            to_zval(&finance::record_shop_orders(
                &*self.store()?,
                &self.finance,
                &orders,
            )?)
        })
    }

    /// The expected side of a Mirakl order as the core holds it, or null.
    pub fn finance_expected_order(&self, mirakl_order_id: String) -> PhpResult<Zval> {
        export(|| {
            to_zval(&sync::expected::expected_order(
                &*self.store()?,
                &mirakl_order_id,
            )?)
        })
    }

    /// A marketplace order draft (the Shop port's shape) with every figure the engine sends the
    /// shop: its amounts and the commission fee line of the finance settings.
    pub fn order_draft(&self, draft: &ZendHashTable) -> PhpResult<Zval> {
        export(|| {
            let draft: sync::shop::ShopOrderDraft = serde_json::from_value(map_to_json(draft)?)
                .map_err(|e| invalid_argument(format!("order draft: {e}")))?;
            to_zval(&draft.priced(&self.sync.commission))
        })
    }

    /// Compares the ledger with the expected side and raises finance problems.
    pub fn finance_match(&self) -> PhpResult<Zval> {
        export(|| to_zval(&finance::match_ledger(&*self.store()?, &self.finance)?))
    }

    /// Payout reconciliations (`currency`, `from`, `to`, `document`, `include_orders`).
    pub fn finance_payouts(&self, filter: &ZendHashTable) -> PhpResult<Zval> {
        export(|| {
            let filter: finance::PayoutFilter = serde_json::from_value(map_to_json(filter)?)
                .map_err(|e| invalid_argument(format!("payout filter: {e}")))?;
            to_zval(&finance::payouts(&*self.store()?, &filter)?)
        })
    }

    /// The month-end report for one month, per currency; with the order rows for drill-down
    /// when `$with_orders`.
    pub fn finance_month_end(
        &self,
        year: i64,
        month: i64,
        currency: Option<String>,
        with_orders: Option<bool>,
    ) -> PhpResult<Zval> {
        export(|| {
            let (year, month) = year_month(year, month)?;
            let store = self.store()?;
            let report = if with_orders.unwrap_or(false) {
                finance::month_end_report(&store, year, month, currency.as_deref())?
            } else {
                finance::month_end_summary(&store, year, month, currency.as_deref())?
            };
            to_zval(&report)
        })
    }

    /// A month as CSV for the accountant: `summary` (figures per currency), `orders` (one row
    /// per order) or `ledger` (every matched transaction, with accounts).
    pub fn finance_csv(
        &self,
        kind: String,
        year: i64,
        month: i64,
        currency: Option<String>,
    ) -> PhpResult<String> {
        export(|| {
            let (year, month) = year_month(year, month)?;
            let kind: finance::CsvExport = kind.parse()?;
            let store = self.store()?;
            Ok(finance::month_csv(
                &store,
                kind,
                year,
                month,
                currency.as_deref(),
                &self.finance,
            )?)
        })
    }

    /// Reads the Mirakl carriers (SH21) now and updates the cache; SH21 may be called once a day.
    pub fn refresh_carriers(&self) -> PhpResult<Zval> {
        export(|| {
            let cached = self.take_engine()?;
            let outcome =
                sync::reference::refresh_carriers(cached.engine.store(), cached.engine.client());
            self.put_engine(cached);
            to_zval(&outcome?)
        })
    }

    /// The Mirakl carriers (SH21) as last cached by the engine.
    pub fn carriers(&self) -> PhpResult<Zval> {
        export(|| to_zval(&sync::reference::carriers(&*self.store()?)?))
    }
}
