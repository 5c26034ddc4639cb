//! The engine's status as wp-admin and WP-CLI read it outside a tick: the runner's health (the
//! last tick, recorded by [`Engine::tick`](super::Engine::tick)), the problems list, budgets,
//! orders at risk, stock drift and recent activity; and the connection test's cached account.
//! Pure functions over the store; `src/php` only converts their arguments and results.
//!
//! Invariant: nothing here spends a call budget a tick needs — the connection test uses V01 (no
//! limit) and reads A01 only while its daily budget allows, falling back to the cached account.
//! Stock drift uses the push's own [`marketplace_quantity`] (buffer and pending units).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mirakl::account::ConnectionReport;
use crate::mirakl::budget::CallBudget;
use crate::mirakl::{Client, MiraklError, Transport};
use crate::store::{
    ProblemFilter, ProblemRecord, ProblemState, QueueStats, Severity, Store, StoreError,
};
use crate::sync::jobs::{marketplace_quantity, pending_marketplace_units};
use crate::sync::report::TickReport;
use crate::sync::{SyncSettings, RUNNER_LEASE};
use crate::vocab::ProblemKind;

pub use crate::sync::jobs::reference::{carriers, CarrierOption};

/// Cursor holding a summary of the last tick.
pub const LAST_TICK_CURSOR: &str = "runner.last_tick";
/// Cursor holding the last A01 answer, for the connection test between daily budgets.
pub const ACCOUNT_CURSOR: &str = "reference.account";
/// Longest gap between ticks before the dashboard calls the runner late.
pub const RUNNER_LATE_AFTER: Duration = Duration::from_secs(5 * 60);
/// The APIs whose budgets the dashboard shows: the ones a tick spends.
const DASHBOARD_BUDGETS: &[&str] = &[
    "OR11", "STO01", "STO02", "OF01", "OF51", "SH21", "A01", "TL02",
];

/// A summary of the last tick, kept for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastTick {
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    pub ran: bool,
    pub jobs_run: u32,
    pub api_calls: u32,
    pub problems_raised: u32,
    pub next_due_at: Option<DateTime<Utc>>,
}

/// Open problems by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OpenProblems {
    pub critical: u64,
    pub error: u64,
    pub warning: u64,
    /// Open rows of routine kinds ([`ProblemKind::ROUTINE`]): activity, counted apart.
    pub routine: u64,
}

/// The runner's health at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Health {
    pub now: DateTime<Utc>,
    pub last_tick: Option<LastTick>,
    /// No tick for longer than the allowed gap: WP-Cron or the system cron is not running.
    pub runner_late: bool,
    /// A runner holds the lease right now.
    pub runner_active: bool,
    pub queue: QueueStats,
    pub open_problems: OpenProblems,
    pub schema_version: i64,
    /// Changed orders still to read from an update window read only in part; while there is
    /// one, the sync is behind and never "on time", whatever the runner does.
    pub order_backlog: Option<OrderBacklog>,
}

/// The order changes not read yet: the poll drains them one OR11 page per slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderBacklog {
    /// Orders of the window not read yet, as Mirakl counted them on the last page.
    pub remaining: u64,
    /// When the window was first read.
    pub since: DateTime<Utc>,
}

/// The order-change backlog, if the last update window was read only in part.
pub fn order_backlog(store: &Store) -> Result<Option<OrderBacklog>, StoreError> {
    Ok(super::jobs::orders::backlog(store)?.map(|b| OrderBacklog {
        remaining: b.remaining,
        since: b.since,
    }))
}

/// Keeps a summary of a tick that ran, for [`health`]; called by the engine's tick.
pub(crate) fn record_tick(
    store: &Store,
    report: &TickReport,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !report.ran {
        return Ok(());
    }
    let summary = LastTick {
        at,
        duration_ms: report.duration_ms,
        ran: report.ran,
        jobs_run: report
            .jobs
            .values()
            .flat_map(|outcomes| outcomes.values())
            .sum(),
        api_calls: report.api_calls.values().sum(),
        problems_raised: u32::try_from(report.problems.len()).unwrap_or(u32::MAX),
        next_due_at: report.next_due_at,
    };
    let text = serde_json::to_string(&summary).map_err(|e| StoreError::Data(e.to_string()))?;
    store.set_cursor(LAST_TICK_CURSOR, &text)
}

/// The runner's health; `late_after` is the longest gap between ticks that is still normal.
pub fn health(
    store: &Store,
    now: DateTime<Utc>,
    late_after: Duration,
) -> Result<Health, StoreError> {
    let last_tick = store
        .cursor(LAST_TICK_CURSOR)?
        .and_then(|cursor| serde_json::from_str::<LastTick>(&cursor.value).ok());
    let late_after = chrono::Duration::from_std(late_after).unwrap_or(chrono::Duration::MAX);
    let runner_late = match &last_tick {
        Some(tick) => now.signed_duration_since(tick.at) > late_after,
        None => true,
    };
    // A lease whose process is gone (a tick killed) is not a runner at work, however long it
    // has left before it expires.
    let runner_active = store
        .runner_lease(RUNNER_LEASE)?
        .is_some_and(|lease| lease.expires_at > now && !super::engine::owner_gone(&lease.owner));
    let mut open_problems = OpenProblems::default();
    for (kind, severity, count) in store.count_open_problems_by_kind()? {
        if ProblemKind::parse(&kind).is_some_and(ProblemKind::is_routine) {
            open_problems.routine += count;
            continue;
        }
        match severity {
            Severity::Critical => open_problems.critical = count,
            Severity::Error => open_problems.error = count,
            Severity::Warning => open_problems.warning = count,
        }
    }
    Ok(Health {
        now,
        last_tick,
        runner_late,
        runner_active,
        queue: store.queue_stats()?,
        open_problems,
        schema_version: store.schema_version()?,
        order_backlog: order_backlog(store)?,
    })
}

/// The problems filter as PHP passes it: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemQuery {
    pub kind: Option<String>,
    /// `open` (default), `resolved` or `all`.
    pub state: Option<String>,
    pub severity: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A filter value that is not one of the allowed words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct QueryError {
    pub field: &'static str,
    pub reason: String,
}

impl crate::error::Coded for QueryError {
    fn code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::InvalidArgument
    }
}

impl ProblemQuery {
    /// Reads the query from PHP's array (as JSON).
    pub fn from_json(value: Value) -> Result<ProblemQuery, QueryError> {
        serde_json::from_value(value).map_err(|e| QueryError {
            field: "filter",
            reason: e.to_string(),
        })
    }

    pub fn to_filter(&self) -> Result<ProblemFilter, QueryError> {
        let state = match self.state.as_deref().unwrap_or("open") {
            "all" => None,
            word => Some(ProblemState::parse(word).ok_or_else(|| QueryError {
                field: "state",
                reason: "must be open, resolved or all".to_owned(),
            })?),
        };
        let severity = match self.severity.as_deref() {
            None => None,
            Some(word) => Some(Severity::parse(word).ok_or_else(|| QueryError {
                field: "severity",
                reason: "must be critical, error or warning".to_owned(),
            })?),
        };
        Ok(ProblemFilter {
            kind: self.kind.clone(),
            state,
            severity,
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// Lists problems for the dashboard.
pub fn problems(store: &Store, query: &ProblemQuery) -> Result<Vec<ProblemRecord>, StatusError> {
    let filter = query.to_filter()?;
    Ok(store.list_problems(&filter)?)
}

/// Tests the URL and key with V01, then reads the shop (A01) if its daily budget allows, else
/// reports the shop as last read (kept in the store).
pub fn test_connection<T: Transport, B: CallBudget>(
    store: &Store,
    client: &Client<T, B>,
    now: DateTime<Utc>,
) -> Result<ConnectionReport, StatusError> {
    let cached = store
        .cursor(ACCOUNT_CURSOR)?
        .and_then(|cursor| serde_json::from_str::<ConnectionReport>(&cursor.value).ok());
    let (report, fresh) = crate::mirakl::account::test_connection(client, cached, now)?;
    if fresh {
        let text = serde_json::to_string(&report).map_err(|e| StoreError::Data(e.to_string()))?;
        store.set_cursor(ACCOUNT_CURSOR, &text)?;
    }
    Ok(report)
}

/// One call budget's use right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetUse {
    pub api: String,
    pub window_secs: i64,
    pub max_calls: u32,
    pub used: u32,
}

/// How much of each budgeted API's call frequency is spent in its current window.
pub fn budgets(store: &Store) -> Result<Vec<BudgetUse>, StoreError> {
    let mut uses = Vec::new();
    for api in DASHBOARD_BUDGETS {
        for limit in crate::mirakl::limits_for(api) {
            uses.push(BudgetUse {
                api: (*api).to_owned(),
                window_secs: limit.window_secs,
                max_calls: limit.max_calls,
                used: store.api_calls_in_window(api, limit.window_secs)?,
            });
        }
    }
    Ok(uses)
}

/// Which deadline puts an order at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Not yet accepted: the operator refuses it automatically when the window ends.
    Acceptance,
    /// Accepted and paid, not yet shipped: Mirakl's `shipping_deadline`.
    Shipping,
}

/// A marketplace order whose next deadline is near or past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderAtRisk {
    pub mirakl_order_id: String,
    pub wc_order_id: Option<i64>,
    pub state: String,
    pub deadline_kind: DeadlineKind,
    pub deadline: DateTime<Utc>,
    /// Negative once the deadline has passed.
    pub seconds_left: i64,
}

const AWAITING_ACCEPTANCE: &[&str] = &["STAGING", "WAITING_ACCEPTANCE"];
const AWAITING_SHIPMENT: &[&str] = &["SHIPPING"];
/// Orders read per state; a shop with more orders waiting than this has bigger problems.
const AT_RISK_SCAN: u32 = 2000;

/// Orders waiting for acceptance or shipment whose deadline falls within `horizon`, soonest
/// first.
pub fn orders_at_risk(
    store: &Store,
    now: DateTime<Utc>,
    horizon: Duration,
    limit: usize,
) -> Result<Vec<OrderAtRisk>, StoreError> {
    let horizon = chrono::Duration::from_std(horizon).unwrap_or(chrono::Duration::MAX);
    let mut at_risk = Vec::new();
    let groups = [
        (AWAITING_ACCEPTANCE, DeadlineKind::Acceptance),
        (AWAITING_SHIPMENT, DeadlineKind::Shipping),
    ];
    for (states, kind) in groups {
        for state in states {
            for order in store.list_orders(Some(state), AT_RISK_SCAN, 0)? {
                let deadline = match kind {
                    DeadlineKind::Acceptance => order.acceptance_deadline,
                    DeadlineKind::Shipping => order.shipping_deadline,
                };
                let Some(deadline) = deadline else { continue };
                let left = deadline.signed_duration_since(now);
                if left <= horizon {
                    at_risk.push(OrderAtRisk {
                        mirakl_order_id: order.mirakl_order_id,
                        wc_order_id: order.wc_order_id,
                        state: order.state,
                        deadline_kind: kind,
                        deadline,
                        seconds_left: left.num_seconds(),
                    });
                }
            }
        }
    }
    at_risk.sort_by_key(|order| order.deadline);
    at_risk.truncate(limit);
    Ok(at_risk)
}

/// A marketplace order as the connector tracks it, with its refunds: the order screen's box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderStatus {
    pub order: crate::store::OrderMapping,
    pub refunds: Vec<crate::store::RefundRecord>,
}

/// The connector's view of one shop order; `None` for an order that did not come from Mirakl.
pub fn order_status(store: &Store, wc_order_id: i64) -> Result<Option<OrderStatus>, StoreError> {
    let Some(order) = store.order_by_wc_id(wc_order_id)? else {
        return Ok(None);
    };
    let refunds = store.refunds_for_order(&order.mirakl_order_id)?;
    Ok(Some(OrderStatus { order, refunds }))
}

/// A shop refund not sent to Mirakl yet, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingRefund {
    pub wc_refund_id: i64,
    /// `queued` (its job waits for its turn or for a fresh view of the order), `sending` (its
    /// job runs, or a send's outcome is being checked), `failed` (given up: see the problems),
    /// `rejected` (Mirakl refused it), `not_queued` (no event reached the connector: the
    /// sweeper queues it on its next pass).
    pub state: String,
}

/// Of these shop refunds (one order's, not recorded from Mirakl), those not sent to Mirakl.
/// A refund with nothing to send (a restock only) or sent already is left out.
pub fn refunds_waiting(
    store: &Store,
    refund_ids: &[i64],
) -> Result<Vec<WaitingRefund>, StoreError> {
    let mut waiting = Vec::new();
    for &id in refund_ids.iter().take(500) {
        let state = match store.refund(id)? {
            Some(record) if matches!(record.state.as_str(), "sent" | "adopted" | "mirrored") => {
                None
            }
            Some(record) if record.state == "rejected" => Some("rejected"),
            Some(_) => Some("sending"),
            None => match store
                .find_job(crate::vocab::JobKind::RefundOrder.as_str(), &id.to_string())?
            {
                None => Some("not_queued"),
                Some(job) => match job.state {
                    crate::store::JobState::Pending => Some("queued"),
                    crate::store::JobState::Leased => Some("sending"),
                    crate::store::JobState::Dead => Some("failed"),
                    crate::store::JobState::Done => None,
                },
            },
        };
        if let Some(state) = state {
            waiting.push(WaitingRefund {
                wc_refund_id: id,
                state: state.to_owned(),
            });
        }
    }
    Ok(waiting)
}

/// A SKU whose three quantities disagree: what WooCommerce has, what was last pushed, and what
/// the marketplace showed last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockDrift {
    pub sku: String,
    pub shop_quantity: Option<i64>,
    pub last_pushed_quantity: Option<i64>,
    pub marketplace_quantity: Option<i64>,
    pub dirty: bool,
    pub last_error: Option<String>,
}

/// SKUs whose marketplace quantity differs from the last pushed one, or that failed to push,
/// or whose WooCommerce quantity changed long ago without a push; scans the ledger in pages.
/// What should be on the marketplace is the push's [`marketplace_quantity`]: shop stock less the
/// buffer and the units of marketplace orders not yet in the shop.
pub fn stock_drift(
    store: &Store,
    settings: &SyncSettings,
    limit: usize,
) -> Result<Vec<StockDrift>, StoreError> {
    const PAGE: u32 = 1000;
    let pending = pending_marketplace_units(store)?;
    let expected = |sku: &str, shop: i64| {
        let units = pending.get(sku).copied().unwrap_or(0);
        i64::try_from(marketplace_quantity(settings, shop, units)).unwrap_or(i64::MAX)
    };
    let mut drift = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.list_sku_ledger(after.as_deref(), PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.sku.clone());
        let full = page.len() == PAGE as usize;
        for entry in page {
            let pushed_differs = match (entry.marketplace_quantity, entry.last_pushed_quantity) {
                (Some(seen), Some(pushed)) => seen != pushed,
                _ => false,
            };
            let shop_differs = match (entry.shop_quantity, entry.last_pushed_quantity) {
                (Some(shop), Some(pushed)) => !entry.dirty && expected(&entry.sku, shop) != pushed,
                _ => false,
            };
            if pushed_differs || shop_differs || entry.last_error.is_some() {
                drift.push(StockDrift {
                    sku: entry.sku,
                    shop_quantity: entry.shop_quantity,
                    last_pushed_quantity: entry.last_pushed_quantity,
                    marketplace_quantity: entry.marketplace_quantity,
                    dirty: entry.dirty,
                    last_error: entry.last_error,
                });
                if drift.len() >= limit {
                    return Ok(drift);
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(drift)
}

/// One finished or dead job, for the dashboard's recent activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub kind: String,
    pub key: String,
    pub state: String,
    pub attempts: u32,
    pub at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// The most recently changed jobs that ended (done or dead), newest first.
pub fn recent_activity(store: &Store, limit: u32) -> Result<Vec<Activity>, StoreError> {
    let mut activity: Vec<Activity> = [crate::store::JobState::Done, crate::store::JobState::Dead]
        .into_iter()
        .map(|state| store.list_jobs(Some(state), None, limit, 0))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .map(|job| Activity {
            kind: job.kind,
            key: job.key,
            state: job.state.as_str().to_owned(),
            attempts: job.attempts,
            at: job.finished_at.unwrap_or(job.updated_at),
            last_error: job.last_error,
        })
        .collect();
    activity.sort_by_key(|a| std::cmp::Reverse(a.at));
    activity.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(activity)
}

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mirakl(#[from] MiraklError),
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl crate::error::Coded for StatusError {
    fn code(&self) -> crate::error::ErrorCode {
        match self {
            StatusError::Store(e) => e.code(),
            StatusError::Mirakl(e) => e.code(),
            StatusError::Query(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirakl::fake::ScriptedTransport;
    use crate::mirakl::{ClientConfig, MemoryBudget};
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, minute, 0).unwrap()
    }

    #[test]
    fn a_runner_that_never_ticked_or_stopped_is_late() {
        let store = Store::open_in_memory().unwrap();
        let late_after = Duration::from_secs(300);
        assert!(health(&store, at(0), late_after).unwrap().runner_late);

        let report = TickReport {
            ran: true,
            duration_ms: 12,
            ..TickReport::default()
        };
        record_tick(&store, &report, at(0)).unwrap();
        let fresh = health(&store, at(4), late_after).unwrap();
        assert!(!fresh.runner_late);
        assert_eq!(fresh.last_tick.unwrap().duration_ms, 12);
        assert!(health(&store, at(6), late_after).unwrap().runner_late);
    }

    #[test]
    fn a_lease_whose_process_is_gone_is_not_a_runner_at_work() {
        let store = Store::open_in_memory().unwrap();
        let ttl = Duration::from_secs(600);
        let live = crate::sync::engine::runner_owner(std::process::id(), 1);
        store
            .acquire_runner_lease(RUNNER_LEASE, &live, ttl)
            .unwrap();
        let now = Utc::now();
        assert!(health(&store, now, ttl).unwrap().runner_active);
        store.release_runner_lease(RUNNER_LEASE, &live).unwrap();

        // A tick killed mid-run: its lease has minutes left, its process is gone.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = crate::sync::engine::runner_owner(pid, 2);
        store
            .acquire_runner_lease(RUNNER_LEASE, &dead, ttl)
            .unwrap();
        let health = health(&store, Utc::now(), ttl).unwrap();
        if std::path::Path::new("/proc/self").exists() {
            assert!(
                !health.runner_active,
                "the dead owner {dead} still shows as running"
            );
        }
        // An owner of another host (or an older format) is judged by the expiry alone.
        assert!(!crate::sync::engine::owner_gone(
            "engine-1-00000001@elsewhere.example"
        ));
        assert!(!crate::sync::engine::owner_gone("engine-1-00000001"));
    }

    #[test]
    fn routine_refusals_are_counted_apart_from_problems_needing_a_person() {
        use crate::store::NewProblem;
        let store = Store::open_in_memory().unwrap();
        for id in ["O1", "O2", "O3"] {
            store
                .raise_problem(
                    &NewProblem::new(
                        ProblemKind::OrderLinesRefused,
                        crate::vocab::EntityType::MiraklOrder,
                        id,
                        "Refused lines",
                    )
                    .severity(Severity::Warning),
                )
                .unwrap();
        }
        store
            .raise_problem(
                &NewProblem::new(
                    ProblemKind::CarrierUnmapped,
                    crate::vocab::EntityType::MiraklOrder,
                    "O4",
                    "Carrier",
                )
                .severity(Severity::Warning),
            )
            .unwrap();
        let open = health(&store, Utc::now(), Duration::from_secs(60))
            .unwrap()
            .open_problems;
        assert_eq!((open.warning, open.routine), (1, 3));
    }

    #[test]
    fn refunds_waiting_name_where_each_unsent_refund_is() {
        use crate::store::{NewJob, RefundRecord};
        let store = Store::open_in_memory().unwrap();
        store
            .upsert_refund(&RefundRecord::new(1, "O1", "sent"))
            .unwrap();
        store
            .upsert_refund(&RefundRecord::new(2, "O1", "rejected"))
            .unwrap();
        crate::sync::events::refund_created(&store, 3).unwrap();
        let job = NewJob::new(
            crate::vocab::JobKind::RefundOrder,
            "5",
            serde_json::json!({}),
        );
        store.enqueue(&job).unwrap();
        let claimed = store
            .claim(&["refund_order"], 10, Duration::from_secs(60))
            .unwrap();
        let five = claimed.iter().find(|j| j.key == "5").unwrap();
        store
            .finish(five.id, five.lease.as_deref().unwrap())
            .unwrap();
        let three = claimed.iter().find(|j| j.key == "3").unwrap();
        store
            .release(three.id, three.lease.as_deref().unwrap(), None)
            .unwrap();
        let waiting = refunds_waiting(&store, &[1, 2, 3, 4, 5]).unwrap();
        let states: Vec<(i64, &str)> = waiting
            .iter()
            .map(|w| (w.wc_refund_id, w.state.as_str()))
            .collect();
        assert_eq!(states, [(2, "rejected"), (3, "queued"), (4, "not_queued")]);
    }

    #[test]
    fn a_tick_that_did_not_run_is_not_recorded() {
        let store = Store::open_in_memory().unwrap();
        record_tick(&store, &TickReport::default(), at(0)).unwrap();
        assert!(health(&store, at(1), Duration::from_secs(300))
            .unwrap()
            .last_tick
            .is_none());
    }

    #[test]
    fn problem_queries_name_the_bad_field() {
        let query =
            ProblemQuery::from_json(serde_json::json!({"state": "all", "limit": 5000})).unwrap();
        let filter = query.to_filter().unwrap();
        assert_eq!(filter.state, None);
        assert_eq!(filter.limit, 1000);
        assert_eq!(
            ProblemQuery::default().to_filter().unwrap().state,
            Some(ProblemState::Open)
        );
        let bad = ProblemQuery {
            severity: Some("loud".into()),
            ..ProblemQuery::default()
        };
        assert_eq!(bad.to_filter().unwrap_err().field, "severity");
        assert_eq!(
            ProblemQuery::from_json(serde_json::json!({"colour": 1}))
                .unwrap_err()
                .field,
            "filter"
        );
    }

    #[test]
    fn carriers_come_from_the_engine_cache() {
        let store = Store::open_in_memory().unwrap();
        assert!(carriers(&store).unwrap().is_empty());
        store
            .set_cursor(
                crate::sync::reference::CARRIERS_CURSOR,
                r#"[{"code":"UPS","label":"UPS"},{"code":"DHL","label":null}]"#,
            )
            .unwrap();
        let list = carriers(&store).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[1],
            CarrierOption {
                code: "DHL".into(),
                label: None
            }
        );
    }

    fn client(
        transport: ScriptedTransport,
        budget: MemoryBudget,
    ) -> Client<ScriptedTransport, MemoryBudget> {
        let config = ClientConfig::new("https://acme.mirakl.net/api".parse().unwrap(), "key");
        Client::new(&config, transport, budget).with_sleeper(|_| {})
    }

    #[test]
    fn the_connection_test_falls_back_to_the_cached_shop_when_a01_is_spent() {
        let store = Store::open_in_memory().unwrap();
        let transport = ScriptedTransport::new();
        transport
            .respond(200, r#"{"version":"3.210"}"#)
            .respond(200, r#"{"shop_id":2001,"shop_name":"Acme","shop_state":"OPEN","currency_iso_code":"EUR"}"#)
            .respond(200, r#"{"version":"3.211"}"#);
        let client = client(transport, MemoryBudget::new());
        let first = test_connection(&store, &client, at(0)).unwrap();
        assert_eq!(first.shop_name.as_deref(), Some("Acme"));
        assert_eq!(first.shop_state.as_deref(), Some("OPEN"));
        // A01's daily budget is spent: V01 still proves the key works, the shop is the cached one.
        let second = test_connection(&store, &client, at(1)).unwrap();
        assert_eq!(second.platform_version, "3.211");
        assert_eq!(second.shop_name.as_deref(), Some("Acme"));
        assert_eq!(second.account_read_at, Some(at(0)));
    }

    #[test]
    fn a_wrong_key_fails_the_connection_test() {
        let store = Store::open_in_memory().unwrap();
        let transport = ScriptedTransport::new();
        transport.respond(401, r#"{"status":401,"message":"Unauthorized"}"#);
        let error =
            test_connection(&store, &client(transport, MemoryBudget::new()), at(0)).unwrap_err();
        assert_eq!(
            crate::error::Coded::code(&error),
            crate::error::ErrorCode::MiraklAuth
        );
    }

    #[test]
    fn orders_at_risk_are_the_near_deadlines_soonest_first() {
        let store = Store::open_in_memory().unwrap();
        let mut waiting = crate::store::OrderMapping::new("M-1", "WAITING_ACCEPTANCE");
        waiting.acceptance_deadline = Some(at(50));
        store.upsert_order(&waiting).unwrap();
        let mut shipping = crate::store::OrderMapping::new("M-2", "SHIPPING");
        shipping.wc_order_id = Some(12);
        shipping.shipping_deadline = Some(at(20));
        store.upsert_order(&shipping).unwrap();
        let mut far = crate::store::OrderMapping::new("M-3", "WAITING_ACCEPTANCE");
        far.acceptance_deadline = Some(at(0) + chrono::Duration::days(3));
        store.upsert_order(&far).unwrap();
        let mut shipped = crate::store::OrderMapping::new("M-4", "SHIPPED");
        shipped.shipping_deadline = Some(at(1));
        store.upsert_order(&shipped).unwrap();

        let risk = orders_at_risk(&store, at(30), Duration::from_secs(3600), 10).unwrap();
        let ids: Vec<&str> = risk.iter().map(|o| o.mirakl_order_id.as_str()).collect();
        assert_eq!(ids, ["M-2", "M-1"]);
        assert_eq!(risk[0].deadline_kind, DeadlineKind::Shipping);
        assert_eq!(risk[0].seconds_left, -600, "past deadlines stay listed");
        assert_eq!(risk[1].seconds_left, 1200);
        assert_eq!(
            orders_at_risk(&store, at(30), Duration::from_secs(3600), 1)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn order_status_is_none_for_orders_not_from_mirakl() {
        let store = Store::open_in_memory().unwrap();
        let mut mapped = crate::store::OrderMapping::new("M-9", "SHIPPING");
        mapped.wc_order_id = Some(77);
        store.upsert_order(&mapped).unwrap();
        assert_eq!(
            order_status(&store, 77)
                .unwrap()
                .unwrap()
                .order
                .mirakl_order_id,
            "M-9"
        );
        assert!(order_status(&store, 78).unwrap().is_none());
    }

    #[test]
    fn stock_drift_lists_disagreements_only() {
        let store = Store::open_in_memory().unwrap();
        let push = |sku: &str, shop: i64, pushed: i64| {
            let revision = store.set_shop_quantity(sku, shop).unwrap();
            store
                .record_sku_push(sku, revision, pushed, Some("imp-1"))
                .unwrap();
        };
        push("IN-STEP", 5, 4); // buffer of 1
        push("MARKET-DIFFERS", 5, 4);
        store
            .record_marketplace_quantity("MARKET-DIFFERS", 9, at(0))
            .unwrap();
        push("SHOP-DIFFERS", 8, 4);
        push("FAILED", 2, 1);
        store
            .record_sku_push_error("FAILED", "unknown offer")
            .unwrap();
        let settings = SyncSettings {
            stock_buffer: 1,
            ..SyncSettings::default()
        };
        let drift = stock_drift(&store, &settings, 100).unwrap();
        let skus: Vec<&str> = drift.iter().map(|d| d.sku.as_str()).collect();
        assert_eq!(skus, ["FAILED", "MARKET-DIFFERS", "SHOP-DIFFERS"]);
        assert_eq!(stock_drift(&store, &settings, 2).unwrap().len(), 2);
    }

    #[test]
    fn budgets_show_calls_spent_in_the_window() {
        let store = Store::open_in_memory().unwrap();
        let limits = crate::mirakl::limits_for("OR11");
        store
            .try_acquire("OR11", limits, Utc::now())
            .unwrap()
            .unwrap();
        let or11 = budgets(&store)
            .unwrap()
            .into_iter()
            .find(|b| b.api == "OR11")
            .unwrap();
        assert_eq!((or11.used, or11.max_calls, or11.window_secs), (1, 1, 60));
    }

    #[test]
    fn refreshing_carriers_replaces_the_cache_within_the_daily_budget() {
        let store = Store::open_in_memory().unwrap();
        let transport = ScriptedTransport::new();
        transport.respond(200, r#"{"carriers":[{"code":"UPS","label":"UPS"},{"code":"COLISSIMO","label":"Colissimo","tracking_url":"https://t/{trackingId}"}]}"#);
        let client = client(transport, MemoryBudget::new());
        let fresh = crate::sync::reference::refresh_carriers(&store, &client).unwrap();
        assert_eq!(fresh.len(), 2);
        assert_eq!(carriers(&store).unwrap(), fresh);
        let error = crate::sync::reference::refresh_carriers(&store, &client).unwrap_err();
        assert_eq!(
            crate::error::Coded::code(&error),
            crate::error::ErrorCode::CallBudgetExhausted
        );
        assert_eq!(
            carriers(&store).unwrap().len(),
            2,
            "a refused refresh keeps the cache"
        );
    }
}
