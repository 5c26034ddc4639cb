//! The retry decision as a table: error class × attempt × time spent → retry, requeue or give up.

use chrono::Utc;
use mirakl_connector::mirakl::retry::{decide, full_jitter, RetryDecision, RetryPolicy};
use mirakl_connector::mirakl::ErrorClass;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Retry in-call after a wait within [min, max].
    Retry(Duration, Duration),
    /// Requeue after exactly this delay.
    Requeue(Duration),
    GiveUp,
}

#[test]
fn retry_table() {
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: ms(250),
        max_delay: secs(30),
        in_call_limit: secs(5),
    };
    let client = ErrorClass::Client {
        status: 400,
        message: "bad".to_owned(),
    };
    let budget = ErrorClass::BudgetExhausted {
        until: Utc::now(),
        wait: secs(42),
    };
    let throttled = |s: u64| ErrorClass::Throttled {
        retry_after: Some(secs(s)),
    };
    let table: Vec<(&str, u32, ErrorClass, Duration, Expect)> = vec![
        (
            "transient, 1st try: jitter ≤ base",
            1,
            ErrorClass::Transient,
            ms(0),
            Expect::Retry(ms(0), ms(250)),
        ),
        (
            "transient, 2nd try: jitter ≤ 2×base",
            2,
            ErrorClass::Transient,
            ms(300),
            Expect::Retry(ms(0), ms(500)),
        ),
        (
            "transient, attempts spent",
            3,
            ErrorClass::Transient,
            ms(900),
            Expect::Requeue(ms(2000)),
        ),
        (
            "transient, near the in-call limit",
            1,
            ErrorClass::Transient,
            ms(4900),
            Expect::Requeue(ms(500)),
        ),
        (
            "429 with short Retry-After",
            1,
            throttled(2),
            ms(0),
            Expect::Retry(secs(2), secs(2)),
        ),
        (
            "429 Retry-After past the in-call limit",
            1,
            throttled(2),
            secs(4),
            Expect::Requeue(secs(2)),
        ),
        (
            "429 with long Retry-After",
            1,
            throttled(3600),
            ms(0),
            Expect::Requeue(secs(3600)),
        ),
        (
            "429 attempts spent",
            3,
            throttled(1),
            ms(100),
            Expect::Requeue(secs(1)),
        ),
        (
            "429 without Retry-After backs off",
            1,
            ErrorClass::Throttled { retry_after: None },
            ms(0),
            Expect::Retry(ms(0), ms(250)),
        ),
        ("client error", 1, client, ms(0), Expect::GiveUp),
        ("auth", 1, ErrorClass::Auth, ms(0), Expect::GiveUp),
        ("decode", 1, ErrorClass::Decode, ms(0), Expect::GiveUp),
        (
            "outcome unknown never retries",
            1,
            ErrorClass::OutcomeUnknown,
            ms(0),
            Expect::GiveUp,
        ),
        ("invalid", 1, ErrorClass::Invalid, ms(0), Expect::GiveUp),
        (
            "budget spent: back to the queue",
            1,
            budget,
            ms(0),
            Expect::Requeue(secs(42)),
        ),
    ];
    for seed in 0..50 {
        let mut rng = StdRng::seed_from_u64(seed);
        for (name, attempt, class, elapsed, expect) in &table {
            let decision = decide(*attempt, class, *elapsed, &policy, &mut rng);
            match (expect, decision) {
                (Expect::Retry(min, max), RetryDecision::RetryAfter(wait)) => {
                    assert!(
                        wait >= *min && wait <= *max,
                        "{name}: {wait:?} not in [{min:?}, {max:?}]"
                    )
                }
                (Expect::Requeue(want), RetryDecision::Requeue(got)) => {
                    assert_eq!(got, *want, "{name}")
                }
                (Expect::GiveUp, RetryDecision::GiveUp) => {}
                (want, got) => panic!("{name}: expected {want:?}, got {got:?}"),
            }
        }
    }
}

#[test]
fn backoff_cap_doubles_and_saturates() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.backoff_cap(1), ms(250));
    assert_eq!(policy.backoff_cap(2), ms(500));
    assert_eq!(policy.backoff_cap(5), secs(4));
    assert_eq!(policy.backoff_cap(40), secs(30));
    assert_eq!(policy.backoff_cap(u32::MAX), secs(30));
}

#[test]
fn full_jitter_spreads_over_the_whole_range() {
    let mut rng = StdRng::seed_from_u64(1);
    let waits: Vec<Duration> = (0..1000).map(|_| full_jitter(secs(1), &mut rng)).collect();
    assert!(waits.iter().all(|w| *w <= secs(1)));
    assert!(waits.iter().any(|w| *w < ms(100)));
    assert!(waits.iter().any(|w| *w > ms(900)));
}
