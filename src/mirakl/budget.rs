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
