//! The retry decision, a pure function of the attempt count, the error class, the time spent and
//! a random source: full-jitter exponential backoff, `Retry-After` honoured, in-call waits capped
//! at a few seconds; anything longer goes back to the job queue, and unknown outcomes never retry.

use crate::mirakl::error::ErrorClass;
use rand::Rng;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first try included.
    pub max_attempts: u32,
    /// Backoff base: the cap of the jittered wait doubles from this per attempt.
    pub base_delay: Duration,
    /// Largest backoff cap.
    pub max_delay: Duration,
    /// The most time one call may spend, waits included, before the rest goes to the queue.
    pub in_call_limit: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            in_call_limit: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The exponential cap for the wait after `attempt` tries: `base × 2^(attempt−1)`, bounded.
    pub fn backoff_cap(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let factor = 1u32 << exponent;
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Sleep this long, then try again within the same call.
    RetryAfter(Duration),
    /// Stop: the error needs a person, a reconciliation or a different request.
    GiveUp,
    /// Stop now and put the job back in the queue to run no sooner than this delay from now.
    Requeue(Duration),
}

/// Decides what to do after `attempt` tries (1 after the first) ended in `class`, `elapsed`
/// after the call began.
pub fn decide<R: Rng + ?Sized>(
    attempt: u32,
    class: &ErrorClass,
    elapsed: Duration,
    policy: &RetryPolicy,
    rng: &mut R,
) -> RetryDecision {
    // `longest` is the most this retry could wait: the decision to stay in-call must not
    // depend on the random draw.
    let (wait, longest) = match class {
        ErrorClass::Client { .. }
        | ErrorClass::Auth
        | ErrorClass::Decode
        | ErrorClass::OutcomeUnknown
        | ErrorClass::Invalid => return RetryDecision::GiveUp,
        ErrorClass::BudgetExhausted { wait, .. } => return RetryDecision::Requeue(*wait),
        ErrorClass::Throttled {
            retry_after: Some(retry_after),
        } => (*retry_after, *retry_after),
        ErrorClass::Throttled { retry_after: None } | ErrorClass::Transient => {
            let cap = policy.backoff_cap(attempt);
            (full_jitter(cap, rng), cap)
        }
    };
    let out_of_attempts = attempt >= policy.max_attempts;
    let out_of_time = elapsed.saturating_add(longest) > policy.in_call_limit;
    if out_of_attempts || out_of_time {
        // The queue waits at least the full backoff cap: a jittered zero would hammer Mirakl.
        let queue_wait = match class {
            ErrorClass::Throttled {
                retry_after: Some(retry_after),
            } => *retry_after,
            _ => policy.backoff_cap(attempt.saturating_add(1)),
        };
        RetryDecision::Requeue(queue_wait)
    } else {
        RetryDecision::RetryAfter(wait)
    }
}

/// A uniformly random wait in `[0, cap]`.
pub fn full_jitter<R: Rng + ?Sized>(cap: Duration, rng: &mut R) -> Duration {
    let cap_micros = u64::try_from(cap.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(rng.gen_range(0..=cap_micros))
}
