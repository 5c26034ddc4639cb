//! The store's source of time. Every timestamp the store writes comes from a [`Clock`], so tests
//! drive expiry, backoff and budgets with a [`ManualClock`] instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// Tells the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to (millisecond resolution, like the store's columns).
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicI64,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock {
            now_ms: AtomicI64::new(start.timestamp_millis()),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        self.now_ms.store(now.timestamp_millis(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        self.now_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    /// The time it shows (also reachable without importing [`Clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        super::from_ms(self.now_ms.load(Ordering::SeqCst))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        ManualClock::now(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Utc::now();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now().timestamp_millis(), start.timestamp_millis());
        clock.advance(Duration::seconds(90));
        assert_eq!(
            clock.now().timestamp_millis(),
            start.timestamp_millis() + 90_000
        );
    }
}
