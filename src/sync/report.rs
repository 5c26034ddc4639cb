//! What one tick did, serialisable to JSON for PHP's dashboard and logs: jobs run by kind and
//! outcome, API calls by Mirakl code, problems raised, stock drift repaired, and when the next
//! job is due (so a runner knows when to come back).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A problem raised during the tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaisedProblem {
    pub kind: String,
    pub severity: String,
    pub entity_type: String,
    pub entity_id: String,
    pub message: String,
}

impl RaisedProblem {
    pub(crate) fn from_record(record: crate::store::ProblemRecord) -> RaisedProblem {
        RaisedProblem {
            kind: record.kind,
            severity: record.severity.as_str().to_owned(),
            entity_type: record.entity_type,
            entity_id: record.entity_id,
            message: record.message,
        }
    }
}

/// What the payload purge removed during the tick (all zero when it did not run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purged {
    /// Finished jobs whose payload (the raw marketplace data) was blanked.
    pub job_payloads: u32,
    /// Closed problems whose copy of the job payload was dropped.
    pub problem_payloads: u32,
    /// OR11 snapshots deleted.
    pub order_snapshots: u32,
}

impl Purged {
    pub fn total(&self) -> u32 {
        self.job_payloads
            .saturating_add(self.problem_payloads)
            .saturating_add(self.order_snapshots)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TickReport {
    pub started_at: Option<DateTime<Utc>>,
    /// Wall-clock milliseconds the tick took (shop callbacks included).
    pub duration_ms: u64,
    /// `false` when another runner held the runner lease: nothing ran.
    pub ran: bool,
    /// Jobs that came back to the queue because their lease had expired (a stopped runner).
    pub recovered_leases: usize,
    /// Kind → outcome → count.
    pub jobs: BTreeMap<String, BTreeMap<String, u32>>,
    /// Mirakl API code → requests the engine sent (in-call retries not counted; calls refused by
    /// the local budget never left and are not counted).
    pub api_calls: BTreeMap<String, u32>,
    pub problems: Vec<RaisedProblem>,
    /// SKUs whose marketplace stock disagreed with the shop and were queued for a push.
    pub stock_repaired: u32,
    /// The earliest `run_at` of a waiting job after the tick.
    pub next_due_at: Option<DateTime<Utc>>,
    /// Seconds the oldest waiting item has waited after the tick: an order, shipment or refund
    /// job still queued, a re-read not served yet, or an order-change backlog not drained.
    pub oldest_waiting_secs: Option<i64>,
    /// What the payload purge (after `payload_retention_days`) removed.
    pub purged: Purged,
}

impl TickReport {
    pub(crate) fn job(&mut self, kind: &str, outcome: &str) {
        *self
            .jobs
            .entry(kind.to_owned())
            .or_default()
            .entry(outcome.to_owned())
            .or_default() += 1;
    }

    pub(crate) fn call(&mut self, api: &str) {
        *self.api_calls.entry(api.to_owned()).or_default() += 1;
    }

    /// Jobs of `kind` that ended with `outcome`.
    pub fn count(&self, kind: &str, outcome: &str) -> u32 {
        self.jobs
            .get(kind)
            .and_then(|o| o.get(outcome))
            .copied()
            .unwrap_or(0)
    }

    pub fn calls(&self, api: &str) -> u32 {
        self.api_calls.get(api).copied().unwrap_or(0)
    }

    /// Adds another tick's counts to this one (for runs of several ticks).
    pub fn absorb(&mut self, other: &TickReport) {
        for (kind, outcomes) in &other.jobs {
            for (outcome, n) in outcomes {
                *self
                    .jobs
                    .entry(kind.clone())
                    .or_default()
                    .entry(outcome.clone())
                    .or_default() += n;
            }
        }
        for (api, n) in &other.api_calls {
            *self.api_calls.entry(api.clone()).or_default() += n;
        }
        self.problems.extend(other.problems.iter().cloned());
        self.stock_repaired += other.stock_repaired;
        self.recovered_leases += other.recovered_leases;
        self.purged.job_payloads += other.purged.job_payloads;
        self.purged.problem_payloads += other.purged.problem_payloads;
        self.purged.order_snapshots += other.purged.order_snapshots;
        self.oldest_waiting_secs = other.oldest_waiting_secs;
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}
