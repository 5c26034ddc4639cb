//! The sandbox clock: real time or frozen, always movable forward by the console.
//!
//! Invariant: `now()` never goes backwards; every date the sandbox writes comes from here, so
//! tests move the clock instead of sleeping.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Clock {
    origin: DateTime<Utc>,
    started: Instant,
    advanced: Duration,
    follows_real_time: bool,
}

impl Clock {
    pub fn new(start: Option<DateTime<Utc>>, follows_real_time: bool) -> Clock {
        Clock {
            origin: start.unwrap_or_else(Utc::now),
            started: Instant::now(),
            advanced: Duration::zero(),
            follows_real_time,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let real = if self.follows_real_time {
            Duration::from_std(self.started.elapsed()).unwrap_or_else(|_| Duration::zero())
        } else {
            Duration::zero()
        };
        // Truncated to milliseconds so what is written equals what is read back.
        let t = self.origin + real + self.advanced;
        t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos() % 1_000_000))
    }

    /// Moves the clock forward; negative amounts, and moves that would leave chrono's date
    /// range, are ignored.
    pub fn advance(&mut self, by: Duration) {
        let fits = self.advanced.checked_add(&by).and_then(|total| {
            self.origin
                .checked_add_signed(total + Duration::days(36_600))
        });
        if by > Duration::zero() && fits.is_some() {
            self.advanced += by;
        }
    }
}

/// Mirakl's date format in responses: UTC with a `Z`.
pub fn format_date(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an ISO-8601 date as Mirakl accepts it: with an offset or `Z`, with or without
/// fractional seconds, a bare date (midnight UTC), or an offset whose `+` became a space through
/// form decoding.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let mut candidate = text.to_string();
    if let Some(pos) = candidate.rfind(' ') {
        if pos > 10 {
            candidate.replace_range(pos..pos + 1, "+");
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(&candidate) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&candidate, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    // "+01" offsets (as in the OF01 example) lack minutes.
    if candidate.len() > 3
        && (candidate.as_bytes()[candidate.len() - 3] == b'+'
            || candidate.as_bytes()[candidate.len() - 3] == b'-')
    {
        let extended = format!("{candidate}:00");
        if let Ok(d) = DateTime::parse_from_rfc3339(&extended) {
            return Some(d.with_timezone(&Utc));
        }
    }
    if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(&candidate, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(&candidate, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let start = parse_date("2025-01-06T09:00:00Z");
        let mut clock = Clock::new(start, false);
        let before = clock.now();
        clock.advance(Duration::hours(2));
        assert_eq!(clock.now() - before, Duration::hours(2));
        clock.advance(Duration::hours(-5));
        assert_eq!(clock.now() - before, Duration::hours(2));
    }

    #[test]
    fn parses_mirakl_date_shapes() {
        let expected = parse_date("2025-01-06T08:00:00Z");
        assert!(expected.is_some());
        assert_eq!(parse_date("2025-01-06T09:00:00+01:00"), expected);
        assert_eq!(parse_date("2025-01-06T09:00:00 01:00"), expected);
        assert_eq!(parse_date("2025-01-06T09:00:00.000+01:00"), expected);
        assert_eq!(parse_date("2025-01-06T09:00:00+01"), expected);
        assert!(parse_date("yesterday").is_none());
    }
}
