//! Per-API maximum call frequencies from Mirakl's documentation (mirakl-api.md §9 and the
//! OpenAPI "Maximum usage" notes), enforced with 429 and `Retry-After`.
//!
//! Windows are real time (a client's `Retry-After` wait is real), scaled by the configuration.
//! A refused call is not counted. Calls that only read further pages (IV01 with an offset) are
//! free, as the documentation says.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// `(calls, window seconds)` pairs that apply to one API code; all must hold.
pub fn documented_limits(api: &str) -> &'static [(usize, u64)] {
    match api {
        "A01" | "SH21" | "OF51-full" => &[(1, 86_400)],
        "IV01" | "SBC11" => &[(1, 86_400)],
        "OR11" | "STO01" | "OF01" | "OF02" | "OF03" | "OF51" => &[(1, 60)],
        "STO02" => &[(1, 15)],
        "TL02" => &[(20, 60), (60, 3_600)],
        _ => &[],
    }
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    calls: HashMap<String, VecDeque<Instant>>,
}

impl RateLimiter {
    /// Records a call, or returns the seconds to wait when a limit is reached.
    pub fn check(&mut self, api: &str, scale: f64) -> Result<(), u64> {
        let limits = documented_limits(api);
        if limits.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let longest = limits
            .iter()
            .map(|(_, w)| scaled(*w, scale))
            .max()
            .unwrap_or_default();
        let history = self.calls.entry(api.to_string()).or_default();
        while history
            .front()
            .is_some_and(|t| now.duration_since(*t) >= longest)
        {
            history.pop_front();
        }
        let mut wait = Duration::ZERO;
        for (max_calls, window) in limits {
            let window = scaled(*window, scale);
            let in_window: Vec<&Instant> = history
                .iter()
                .filter(|t| now.duration_since(**t) < window)
                .collect();
            if in_window.len() >= *max_calls {
                let oldest = in_window[in_window.len() - max_calls];
                wait = wait.max(window.saturating_sub(now.duration_since(*oldest)));
            }
        }
        if wait > Duration::ZERO {
            // Retry-After is whole seconds; round up so a client that honours it succeeds.
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        history.push_back(now);
        Ok(())
    }

    pub fn reset(&mut self) {
        self.calls.clear();
    }
}

fn scaled(seconds: u64, scale: f64) -> Duration {
    Duration::from_secs_f64((seconds as f64 * scale).max(0.001))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_or11_call_within_a_minute_is_refused() {
        let mut limiter = RateLimiter::default();
        assert!(limiter.check("OR11", 1.0).is_ok());
        let wait = limiter.check("OR11", 1.0).expect_err("limited");
        assert!((59..=60).contains(&wait));
        assert!(limiter.check("OR21", 1.0).is_ok());
        assert!(limiter.check("OR21", 1.0).is_ok());
    }

    #[test]
    fn scaled_window_expires() {
        let mut limiter = RateLimiter::default();
        assert!(limiter.check("STO01", 0.001).is_ok());
        assert!(limiter.check("STO01", 0.001).is_err());
        std::thread::sleep(Duration::from_millis(80));
        assert!(limiter.check("STO01", 0.001).is_ok());
    }

    #[test]
    fn tl02_allows_twenty_per_minute() {
        let mut limiter = RateLimiter::default();
        for _ in 0..20 {
            assert!(limiter.check("TL02", 1.0).is_ok());
        }
        assert!(limiter.check("TL02", 1.0).is_err());
    }
}
