//! The engine: one tick runs due jobs for at most a time budget and reports what it did.
//!
//! Invariants: one runner at a time (the runner lease; a second caller returns at once with
//! `ran: false`); every job runs under its own lease; expired leases are recovered first, so a
//! runner that died mid-job is picked up; a job refused by a call budget or a 429 goes back to
//! the queue at the time it may run — the engine never sleeps; the shop is borrowed for one tick
//! only and never kept.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;

use crate::mirakl::budget::{BudgetError, CallBudget, Limit};
use crate::mirakl::{Client, ClientConfig, HttpTransport, MiraklError, RetryPolicy, Transport};
use crate::store::{Clock, Failed, Failure, Job, JobState, NewJob, Store, StoreError, SystemClock};

use super::error::SyncError;
use super::events::{self, StockChange};
use super::jobs::{self, priority, Ctx, JobError, JobKind, JobResult, Outcome};
use super::report::{RaisedProblem, TickReport};
use super::settings::SyncSettings;
use super::shop::{Shop, ShopOrderId, ShopRefundId};

/// The runner lease's name in the store.
pub const RUNNER_LEASE: &str = "sync_engine";
/// How long one job may run before another runner may take it over.
const JOB_LEASE: Duration = Duration::from_secs(300);
/// Beyond the tick budget, how long the runner lease outlives a runner that stopped.
const RUNNER_GRACE: Duration = Duration::from_secs(120);
/// Wait after an OutcomeUnknown before the job reads Mirakl's state (the next OR11 slot).
const UNKNOWN_RETRY_SECS: i64 = 60;
/// The cursor holding when the payload purge runs next.
pub const PURGE_CURSOR: &str = "purge.next_at";
/// Rows of each kind the purge changes in one tick at most, so it never holds the runner: a
/// backlog (a first run on an old state file) is worked off over the next ticks.
pub const PURGE_BATCH: u32 = 500;
/// How often the payload purge runs once it has caught up.
const PURGE_INTERVAL_HOURS: i64 = 24;
/// Wait after a 429 without `Retry-After`.
const THROTTLED_DEFAULT_SECS: u64 = 60;

/// The store as the client's call budget: the same SQLite file, so every process shares it.
#[derive(Debug, Clone)]
pub struct StoreBudget(pub Rc<Store>);

impl CallBudget for StoreBudget {
    fn try_acquire(
        &self,
        api: &str,
        limits: &[Limit],
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError> {
        self.0.try_acquire(api, limits, now)
    }
}

/// How long one call may wait in-call between retries: a tick runs inside a PHP request, so
/// anything longer goes back to the queue instead.
const IN_CALL_RETRY_LIMIT: Duration = Duration::from_secs(2);

/// A Mirakl client whose call budget is the store and whose budget clock is `clock`.
pub fn engine_client<T: Transport>(
    config: &ClientConfig,
    transport: T,
    store: &Rc<Store>,
    clock: Arc<dyn Clock>,
) -> Client<T, StoreBudget> {
    let policy = RetryPolicy {
        in_call_limit: IN_CALL_RETRY_LIMIT,
        ..RetryPolicy::default()
    };
    Client::new(config, transport, StoreBudget(Rc::clone(store)))
        .with_clock(move || clock.now())
        .with_policy(policy)
}

/// The engine as the plugin runs it: HTTP to Mirakl, budgets in the store, the system clock.
pub type HttpEngine = Engine<HttpTransport, StoreBudget>;

impl HttpEngine {
    /// Opens the engine on an open store and the connection settings.
    pub fn connect(
        store: impl Into<Rc<Store>>,
        config: &ClientConfig,
        settings: SyncSettings,
    ) -> Result<HttpEngine, SyncError> {
        let store: Rc<Store> = store.into();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let transport = HttpTransport::new(config).map_err(|e| MiraklError::Invalid {
            api: crate::mirakl::ApiCode::V01,
            message: e.message,
        })?;
        let client = engine_client(config, transport, &store, Arc::clone(&clock));
        Engine::new(store, client, settings, clock)
    }
}

pub struct Engine<T, B> {
    store: Rc<Store>,
    client: Client<T, B>,
    settings: SyncSettings,
    clock: Arc<dyn Clock>,
    owner: String,
}

impl<T, B> std::fmt::Debug for Engine<T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

impl<T: Transport, B: CallBudget> Engine<T, B> {
    /// An engine over `store` and `client`; `settings` are validated here.
    pub fn new(
        store: Rc<Store>,
        client: Client<T, B>,
        settings: SyncSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Engine<T, B>, SyncError> {
        settings.validate()?;
        let owner = runner_owner(std::process::id(), rand::thread_rng().gen::<u32>());
        Ok(Engine {
            store,
            client,
            settings,
            clock,
            owner,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &SyncSettings {
        &self.settings
    }

    pub fn set_settings(&mut self, settings: SyncSettings) -> Result<(), SyncError> {
        settings.validate()?;
        self.settings = settings;
        Ok(())
    }

    pub fn client(&self) -> &Client<T, B> {
        &self.client
    }

    /// [`events::stock_changed`] on the engine's store, settings and clock.
    pub fn stock_changed(&self, changes: &[StockChange]) -> Result<(), SyncError> {
        events::stock_changed(&self.store, &self.settings, changes, self.clock.now())
    }

    /// [`events::product_changed`] on the engine's store.
    pub fn product_changed(&self, skus: &[String]) -> Result<(), SyncError> {
        events::product_changed(&self.store, skus)
    }

    /// [`events::order_shipped`] on the engine's store.
    pub fn order_shipped(&self, wc_order_id: ShopOrderId) -> Result<(), SyncError> {
        events::order_shipped(&self.store, wc_order_id)
    }

    /// [`events::refund_created`] on the engine's store.
    pub fn refund_created(&self, wc_refund_id: ShopRefundId) -> Result<(), SyncError> {
        events::refund_created(&self.store, wc_refund_id)
    }

    /// Runs due jobs for at most `budget` (a job started before the budget ran out finishes).
    pub fn tick(&mut self, shop: &mut dyn Shop, budget: Duration) -> Result<TickReport, SyncError> {
        let started = Instant::now();
        let mut report = TickReport {
            started_at: Some(self.clock.now()),
            ..TickReport::default()
        };
        let ttl = budget.saturating_add(RUNNER_GRACE);
        let mut lease = self
            .store
            .acquire_runner_lease(RUNNER_LEASE, &self.owner, ttl)?;
        if lease.is_none() {
            // A runner killed mid-tick (SIGKILL, OOM) keeps the lease until budget and grace
            // run out; once its process is known to be gone, its lease and jobs are taken over.
            if let Some(held) = self.store.runner_lease(RUNNER_LEASE)? {
                if owner_gone(&held.owner) {
                    lease = self.store.take_over_runner_lease(&held, &self.owner, ttl)?;
                }
            }
        }
        if lease.is_none() {
            return Ok(report);
        }
        report.ran = true;
        // Released even after an error or a panic, so the next tick need not wait for expiry.
        let mut lease = RunnerLeaseGuard {
            store: Rc::clone(&self.store),
            owner: self.owner.clone(),
            held: true,
        };
        let run = crate::error::catch_panic(|| self.run(shop, budget, started, &mut report));
        let result = match run {
            Ok(result) => result,
            Err(caught) if caught.payload.is::<ProcessDeath>() => {
                // As a real death: nothing is cleaned up, the lease runs out on its own.
                lease.held = false;
                std::panic::resume_unwind(caught.payload)
            }
            Err(caught) => {
                // A bug outside any job: free the lease, then unwind to the caller's guard
                // with the message and place the panic had.
                drop(lease);
                std::panic::resume_unwind(Box::new(caught.message))
            }
        };
        let released = lease.release();
        result?;
        released?;
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report.next_due_at = self.next_due()?;
        report.oldest_waiting_secs = self.oldest_waiting()?;
        super::status::record_tick(&self.store, &report, self.clock.now())?;
        Ok(report)
    }

    fn run(
        &mut self,
        shop: &mut dyn Shop,
        budget: Duration,
        started: Instant,
        report: &mut TickReport,
    ) -> Result<(), SyncError> {
        report.recovered_leases = self.store.recover_expired_leases()?;
        self.schedule_periodic()?;
        // The purge is housekeeping: a store error in it is reported by the next tick's
        // attempt, never a reason to skip this tick's jobs.
        let _ = self.purge_payloads(report);
        let mut ran: u32 = 0;
        while started.elapsed() < budget {
            let Some(job) = self
                .store
                .claim(&JobKind::RUNNABLE_NAMES, 1, JOB_LEASE)?
                .pop()
            else {
                break;
            };
            let result = crate::error::catch_panic(|| {
                let mut ctx = Ctx {
                    store: &self.store,
                    client: &self.client,
                    settings: &self.settings,
                    shop: &mut *shop,
                    clock: self.clock.as_ref(),
                    report: &mut *report,
                    job: &job,
                };
                dispatch(&mut ctx)
            })
            // Each job runs inside its own panic guard: a panic parks that job, never the
            // runner, and the tick goes on with the next one.
            .unwrap_or_else(|caught| {
                if caught.payload.is::<ProcessDeath>() {
                    std::panic::resume_unwind(caught.payload);
                }
                Err(JobError::Panicked(caught.message))
            });
            let label = self.settle(&job, result, report)?;
            report.job(&job.kind, label);
            ran += 1;
            if ran % 20 == 0
                && !self.store.renew_runner_lease(
                    RUNNER_LEASE,
                    &self.owner,
                    budget.saturating_add(RUNNER_GRACE),
                )?
            {
                // Another runner took over (this one was too slow): stop at once.
                break;
            }
        }
        Ok(())
    }

    /// Applies a job's result to the queue; returns the outcome label for the report.
    fn settle(
        &self,
        job: &Job,
        result: JobResult,
        report: &mut TickReport,
    ) -> Result<&'static str, SyncError> {
        let Some(lease) = job.lease.as_deref() else {
            return Ok("no_lease");
        };
        let now = self.clock.now();
        let later = |at: DateTime<Utc>| at.max(now + chrono::Duration::seconds(1));
        let settled: Result<&'static str, StoreError> = match result {
            Ok(Outcome::Done(label)) => self.store.finish(job.id, lease).map(|_| label),
            Ok(Outcome::Later(at, label)) => self
                .store
                .release(job.id, lease, Some(later(at)))
                .map(|_| label),
            Err(JobError::Mirakl(MiraklError::BudgetExhausted { until, .. })) => self
                .store
                .release(job.id, lease, Some(later(until)))
                .map(|_| "deferred"),
            Err(JobError::Mirakl(MiraklError::Throttled { retry_after, .. })) => {
                let wait = retry_after
                    .unwrap_or(Duration::from_secs(THROTTLED_DEFAULT_SECS))
                    .max(Duration::from_secs(1));
                let at =
                    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60));
                self.store
                    .release(job.id, lease, Some(later(at)))
                    .map(|_| "throttled")
            }
            Err(JobError::Mirakl(error @ MiraklError::OutcomeUnknown { .. })) => {
                let failure = Failure::new(error.to_string())
                    .retry_at(now + chrono::Duration::seconds(UNKNOWN_RETRY_SECS));
                self.fail(job, lease, &failure, report)
                    .map(|_| "outcome_unknown")
            }
            Err(JobError::Mirakl(
                error @ (MiraklError::Client { .. }
                | MiraklError::Auth { .. }
                | MiraklError::Invalid { .. }),
            )) => self
                .fail(
                    job,
                    lease,
                    &Failure::new(error.to_string()).permanent(),
                    report,
                )
                .map(|_| "failed"),
            Err(JobError::Mirakl(error)) => self
                .fail(job, lease, &Failure::new(error.to_string()), report)
                .map(|_| "retry"),
            Err(JobError::Shop(error @ super::shop::ShopError::Rejected { .. })) => self
                .fail(
                    job,
                    lease,
                    &Failure::new(error.to_string()).permanent(),
                    report,
                )
                .map(|_| "failed"),
            Err(JobError::Shop(error)) => self
                .fail(job, lease, &Failure::new(error.to_string()), report)
                .map(|_| "retry"),
            Err(JobError::Store(error)) => self
                .fail(job, lease, &Failure::new(error.to_string()), report)
                .map(|_| "retry"),
            Err(JobError::Permanent(message)) => self
                .fail(job, lease, &Failure::new(message).permanent(), report)
                .map(|_| "failed"),
            Err(JobError::Panicked(message)) => self
                .fail(
                    job,
                    lease,
                    &Failure::new(format!("internal error in the connector core: {message}"))
                        .panicked(),
                    report,
                )
                .map(|_| "panicked"),
        };
        match settled {
            Ok(label) => Ok(label),
            // Another runner recovered the job meanwhile: its run decides.
            Err(StoreError::LeaseLost { .. }) => Ok("lease_lost"),
            Err(error) => Err(error.into()),
        }
    }

    fn fail(
        &self,
        job: &Job,
        lease: &str,
        failure: &Failure,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        if let Failed::Dead { problem_id } = self.store.fail(job.id, lease, failure)? {
            if let Some(record) = self.store.problem(problem_id)? {
                report.problems.push(RaisedProblem::from_record(record));
            }
        }
        Ok(())
    }

    /// Queues the periodic jobs that are not waiting already, each `interval` after its last run.
    fn schedule_periodic(&self) -> Result<(), StoreError> {
        let s = &self.settings;
        self.ensure(
            JobKind::PollOrders,
            "orders",
            s.order_poll_interval_secs,
            priority::POLL_ORDERS,
        )?;
        self.unstarve_poll()?;
        self.ensure(
            JobKind::CheckDeadlines,
            "deadlines",
            s.deadline_check_interval_secs,
            priority::HOUSEKEEPING,
        )?;
        self.ensure(
            JobKind::ReconcileStock,
            "stock",
            s.reconcile_interval_secs,
            priority::HOUSEKEEPING,
        )?;
        self.ensure(
            JobKind::SweepOrders,
            jobs::sweep::SWEEP_KEY,
            jobs::sweep::SWEEP_INTERVAL_SECS,
            priority::HOUSEKEEPING,
        )?;
        self.ensure(
            JobKind::RefreshReference,
            "reference",
            86_400,
            priority::HOUSEKEEPING,
        )?;

        let now = self.clock.now();
        if let Some(oldest) = self.store.list_dirty_skus(1)?.first() {
            let push = self
                .store
                .find_job(JobKind::PushStock.as_str(), jobs::stock::PUSH_KEY)?;
            if !push
                .as_ref()
                .is_some_and(|j| matches!(j.state, JobState::Pending | JobState::Leased))
            {
                // A SKU left dirty (unknown to the shop, a failed import) waits at most the
                // interval, and never makes pushes more frequent than once a minute.
                let due =
                    oldest.dirty_since + chrono::Duration::seconds(s.stock_push_interval_secs);
                let after_last = push
                    .and_then(|j| j.finished_at)
                    .map(|t| t + chrono::Duration::seconds(60));
                let run_at = after_last.map_or(due, |a| due.max(a)).max(now);
                self.store.enqueue(
                    &NewJob::new(JobKind::PushStock, jobs::stock::PUSH_KEY, json!({}))
                        .priority(priority::STOCK)
                        .run_at(run_at),
                )?;
            }
        }
        if !self
            .store
            .list_jobs(
                Some(JobState::Pending),
                Some(JobKind::OfferDirty.as_str()),
                1,
                0,
            )?
            .is_empty()
        {
            let export = self
                .store
                .find_job(JobKind::ExportOffers.as_str(), jobs::offers::EXPORT_KEY)?;
            if !export
                .as_ref()
                .is_some_and(|j| matches!(j.state, JobState::Pending | JobState::Leased))
            {
                self.store.enqueue(
                    &NewJob::new(JobKind::ExportOffers, jobs::offers::EXPORT_KEY, json!({}))
                        .priority(priority::OFFERS),
                )?;
            }
        }
        Ok(())
    }

    /// Once a day, blanks what finished jobs, closed problems and OR11 snapshots keep of the
    /// marketplace's raw data after `payload_retention_days`; at most [`PURGE_BATCH`] rows of
    /// each, the next tick going on while a batch came back full. Waiting jobs are never touched.
    fn purge_payloads(&self, report: &mut TickReport) -> Result<(), StoreError> {
        let now = self.clock.now();
        let due = self
            .store
            .cursor(PURGE_CURSOR)?
            .and_then(|c| DateTime::parse_from_rfc3339(&c.value).ok())
            .map_or(true, |next| next <= now);
        if !due {
            return Ok(());
        }
        let retention = self.settings.payload_retention();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let purged = super::report::Purged {
            job_payloads: count(
                self.store
                    .purge_job_payloads_older_than(retention, PURGE_BATCH)?,
            ),
            problem_payloads: count(
                self.store
                    .purge_problem_payloads_older_than(retention, PURGE_BATCH)?,
            ),
            order_snapshots: count(
                self.store
                    .purge_order_snapshots_older_than(retention, PURGE_BATCH)?,
            ),
        };
        let full = [
            purged.job_payloads,
            purged.problem_payloads,
            purged.order_snapshots,
        ]
        .contains(&PURGE_BATCH);
        let next = if full {
            now
        } else {
            now + chrono::Duration::hours(PURGE_INTERVAL_HOURS)
        };
        self.store.set_cursor(PURGE_CURSOR, &next.to_rfc3339())?;
        super::status::record_purge(&self.store, purged, now)?;
        report.purged = purged;
        Ok(())
    }

    /// Shipments and refunds claim the OR11 slot before polling (they may need to read an
    /// order); a burst of them must not keep new orders from being seen. A poll overdue by two
    /// intervals goes ahead of them.
    fn unstarve_poll(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let Some(poll) = self
            .store
            .find_job(JobKind::PollOrders.as_str(), "orders")?
        else {
            return Ok(());
        };
        let last_run = jobs::orders::last_poll(&self.store)?;
        let overdue = last_run.is_some_and(|t| {
            t + chrono::Duration::seconds(2 * self.settings.order_poll_interval_secs) <= now
        });
        if poll.state == JobState::Pending && overdue && poll.priority < priority::POLL_STARVED {
            self.store.enqueue(
                &NewJob::new(JobKind::PollOrders, "orders", json!({}))
                    .priority(priority::POLL_STARVED)
                    .run_at(poll.run_at),
            )?;
        }
        Ok(())
    }

    fn ensure(
        &self,
        kind: JobKind,
        key: &str,
        interval_secs: i64,
        priority: i32,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let run_at = match self.store.find_job(kind.as_str(), key)? {
            None => now,
            Some(job) => match job.state {
                JobState::Pending | JobState::Leased => return Ok(()),
                JobState::Done | JobState::Dead => {
                    let last = job.finished_at.unwrap_or(job.updated_at);
                    (last + chrono::Duration::seconds(interval_secs)).max(now)
                }
            },
        };
        self.store.enqueue(
            &NewJob::new(kind, key, json!({}))
                .priority(priority)
                .run_at(run_at),
        )?;
        Ok(())
    }

    /// How long the oldest waiting item has waited: an order, shipment or refund job still
    /// queued, a re-read not served yet, or the order-change backlog.
    fn oldest_waiting(&self) -> Result<Option<i64>, StoreError> {
        const WAITING: [&str; 4] = [
            JobKind::ImportOrder.as_str(),
            JobKind::SyncOrder.as_str(),
            JobKind::ShipOrder.as_str(),
            JobKind::RefundOrder.as_str(),
        ];
        let oldest = [
            self.store.oldest_waiting_job(&WAITING)?,
            self.store.oldest_order_read()?,
            jobs::orders::backlog(&self.store)?.map(|b| b.since),
        ]
        .into_iter()
        .flatten()
        .min();
        let now = self.clock.now();
        Ok(oldest.map(|t| (now - t).num_seconds().max(0)))
    }

    /// The earliest `run_at` of a waiting runnable job: one `MIN(run_at)` in the store.
    fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.store.next_run_at(&JobKind::RUNNABLE_NAMES)
    }
}

/// The runner lease's owner for this process: `engine-<pid>-<random>@<host>`, so the status can
/// tell a lease whose process is gone ([`owner_gone`]).
pub fn runner_owner(pid: u32, random: u32) -> String {
    format!(
        "engine-{pid}-{random:08x}@{}",
        host_name().unwrap_or_default()
    )
}

/// Whether the process that owns a runner lease is known to be gone: it ran on this host and
/// no process of its id exists any more. `false` when it cannot be told (another host, no
/// `/proc`): the lease's expiry decides then.
pub fn owner_gone(owner: &str) -> bool {
    let Some((head, host)) = owner.rsplit_once('@') else {
        return false;
    };
    let Some(pid) = head
        .strip_prefix("engine-")
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return false;
    };
    let proc_root = std::path::Path::new("/proc");
    if host.is_empty() || host_name().as_deref() != Some(host) || !proc_root.join("self").exists() {
        return false;
    }
    !proc_root.join(pid.to_string()).exists()
}

fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
}

/// A panic payload the per-job guard lets through: `std::panic::panic_any(ProcessDeath)` inside a
/// job stands for the process dying there (tests of crash consistency use it; the job's lease
/// is then recovered by a later runner), where any other panic parks the job.
#[derive(Debug, Clone, Copy)]
pub struct ProcessDeath;

/// The runner lease held for one tick: released by [`RunnerLeaseGuard::release`], or on drop
/// (an error, a panic outside any job), so the next runner need not wait for its expiry. Only a
/// [`ProcessDeath`] leaves it held, as a real death would.
struct RunnerLeaseGuard {
    store: Rc<Store>,
    owner: String,
    held: bool,
}

impl RunnerLeaseGuard {
    fn release(mut self) -> Result<bool, StoreError> {
        self.held = false;
        self.store.release_runner_lease(RUNNER_LEASE, &self.owner)
    }
}

impl Drop for RunnerLeaseGuard {
    fn drop(&mut self) {
        if self.held {
            let _ = self.store.release_runner_lease(RUNNER_LEASE, &self.owner);
        }
    }
}

fn dispatch<T: Transport, B: CallBudget>(ctx: &mut Ctx<'_, T, B>) -> JobResult {
    let Some(kind) = JobKind::parse(&ctx.job.kind) else {
        return Err(JobError::Permanent(format!(
            "unknown job kind {}",
            ctx.job.kind
        )));
    };
    match kind {
        JobKind::PollOrders => jobs::orders::poll(ctx),
        JobKind::ImportOrder => jobs::orders::import(ctx),
        JobKind::SyncOrder => jobs::orders::sync(ctx),
        JobKind::ShipOrder => jobs::shipping::ship(ctx),
        JobKind::RefundOrder => jobs::refunds::refund(ctx),
        JobKind::PushStock => jobs::stock::push(ctx),
        JobKind::PollStockImport => jobs::stock::poll_import(ctx),
        JobKind::ReconcileStock => jobs::stock::reconcile(ctx),
        JobKind::ExportOffers => jobs::offers::export(ctx),
        JobKind::PollOfferImport => jobs::offers::poll_import(ctx),
        JobKind::RefreshReference => jobs::reference::refresh(ctx),
        JobKind::CheckDeadlines => jobs::deadlines::check(ctx),
        JobKind::SweepOrders => jobs::sweep::sweep(ctx),
        JobKind::OfferDirty => Err(JobError::Permanent(
            "offer_dirty is a marker, never run on its own".to_owned(),
        )),
    }
}
