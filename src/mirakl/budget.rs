//! Per-API call budgets: Mirakl's documented maximum call frequencies (docs §9), enforced before
//! a request touches the network. The budget is shared by every PHP process through the store,
//! which implements [`CallBudget`]; [`MemoryBudget`] serves tests and single-process tools.

use chrono::{DateTime, Utc};

/// At most `max_calls` calls in any sliding window of `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub window_secs: i64,
    pub max_calls: u32,
}

/// Decides whether one more call to an API may be made now.
pub trait CallBudget {
    /// Records one call to `api` (its Mirakl code, e.g. `"OR11"`) at `now` if every limit allows
    /// it and returns `Ok(())`; otherwise records nothing and returns the earliest time the call
    /// may run.
    fn try_acquire(
        &self,
        api: &str,
        limits: &[Limit],
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError>;
}

/// The budget store could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("call budget unavailable: {0}")]
pub struct BudgetError(pub String);

impl<B: CallBudget + ?Sized> CallBudget for &B {
    fn try_acquire(
        &self,
        api: &str,
        limits: &[Limit],
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError> {
        (**self).try_acquire(api, limits, now)
    }
}

impl<B: CallBudget + ?Sized> CallBudget for std::sync::Arc<B> {
    fn try_acquire(
        &self,
        api: &str,
        limits: &[Limit],
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError> {
        (**self).try_acquire(api, limits, now)
    }
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Follow-up pages of a paginated read: not a new "call" in Mirakl's frequency table, but still
/// bounded so a runaway loop cannot flood the API.
const PAGES: &[Limit] = &[Limit {
    window_secs: MINUTE,
    max_calls: 100,
}];

/// Budget keys beyond the plain API codes.
pub mod keys {
    /// IV01 pages after the first ("once per day and as many times as there are pages").
    pub const IV01_PAGE: &str = "IV01-page";
    /// SBC11 pages after the first (same rule as IV01).
    pub const SBC11_PAGE: &str = "SBC11-page";
    /// OF21 pages after the first.
    pub const OF21_PAGE: &str = "OF21-page";
    /// OF51 without `last_request_date`: a full export ("Full: once per day").
    pub const OF51_FULL: &str = "OF51-full";
}

/// Mirakl's documented maximum call frequencies (docs §9, "Maximum usage"), per budget key.
/// An empty slice means "on each event": no frequency ceiling is documented.
pub fn limits_for(api_code: &str) -> &'static [Limit] {
    const ONCE_A_MINUTE: &[Limit] = &[Limit {
        window_secs: MINUTE,
        max_calls: 1,
    }];
    const ONCE_A_DAY: &[Limit] = &[Limit {
        window_secs: DAY,
        max_calls: 1,
    }];
    match api_code {
        // Once per day: account and carriers change rarely and are cached.
        "A01" | "SH21" | "IV01" | "SBC11" | keys::OF51_FULL => ONCE_A_DAY,
        // Background sync and imports: once per minute.
        "OR11" | "STO01" | "OF01" | "OF02" | "OF03" | "OF51" => ONCE_A_MINUTE,
        // STO02: once every 15 seconds.
        "STO02" => &[Limit {
            window_secs: 15,
            max_calls: 1,
        }],
        // TL02: 20 per minute and 60 per hour.
        "TL02" => &[
            Limit {
                window_secs: MINUTE,
                max_calls: 20,
            },
            Limit {
                window_secs: HOUR,
                max_calls: 60,
            },
        ],
        keys::IV01_PAGE | keys::SBC11_PAGE | keys::OF21_PAGE => PAGES,
        // V01, RE01, OF21 and the per-event writes (OR21/23/24/28/29, ST01).
        _ => &[],
    }
}

/// An in-process sliding-window budget, for tests and single-process tools.
#[derive(Debug, Default)]
pub struct MemoryBudget {
    calls: std::sync::Mutex<std::collections::HashMap<String, Vec<DateTime<Utc>>>>,
}

impl MemoryBudget {
    pub fn new() -> MemoryBudget {
        MemoryBudget::default()
    }

    /// How many calls are recorded for `api` (all time).
    pub fn recorded(&self, api: &str) -> usize {
        self.calls
            .lock()
            .map(|calls| calls.get(api).map_or(0, Vec::len))
            .unwrap_or(0)
    }
}

/// The earliest time one more call fits every limit, given the calls already made
/// (`None` when it fits now). Shared with other implementations of [`CallBudget`].
pub fn next_allowed(
    calls: &[DateTime<Utc>],
    limits: &[Limit],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut earliest: Option<DateTime<Utc>> = None;
    for limit in limits {
        let window = chrono::Duration::seconds(limit.window_secs);
        let mut in_window: Vec<DateTime<Utc>> = calls
            .iter()
            .copied()
            .filter(|at| *at > now - window && *at <= now)
            .collect();
        let max_calls = usize::try_from(limit.max_calls).unwrap_or(usize::MAX);
        if in_window.len() < max_calls {
            continue;
        }
        in_window.sort();
        // The call that must leave the window before one more fits.
        let free_at = match in_window.len().checked_sub(max_calls) {
            Some(index) if max_calls > 0 => in_window[index] + window,
            _ => now + window,
        };
        earliest = Some(earliest.map_or(free_at, |current| current.max(free_at)));
    }
    earliest
}

impl CallBudget for MemoryBudget {
    fn try_acquire(
        &self,
        api: &str,
        limits: &[Limit],
        now: DateTime<Utc>,
    ) -> Result<Result<(), DateTime<Utc>>, BudgetError> {
        let mut calls = self
            .calls
            .lock()
            .map_err(|_| BudgetError("memory budget lock poisoned".to_owned()))?;
        let history = calls.entry(api.to_owned()).or_default();
        let longest = limits.iter().map(|l| l.window_secs).max().unwrap_or(0);
        history.retain(|at| *at > now - chrono::Duration::seconds(longest));
        if let Some(until) = next_allowed(history, limits, now) {
            return Ok(Err(until));
        }
        history.push(now);
        Ok(Ok(()))
    }
}
