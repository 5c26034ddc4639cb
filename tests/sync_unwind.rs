//! Unwind safety of the engine: a job that panics is parked with a `job_panicked` problem (the
//! message and what to do), the tick goes on with the other jobs, the runner lease is released,
//! and the next tick runs normally without reviving the parked job.

mod sync_support;

use mirakl_connector::store::{JobState, ProblemFilter, ProblemState};
use mirakl_connector::sync::memory::ShopOp;
use mirakl_connector::sync::RUNNER_LEASE;
use sync_support::Harness;

fn setup() -> Harness {
    let mut h = Harness::new();
    h.add_product("A", 10, 20);
    h.add_product("B", 5, 7);
    h.tick();
    h
}

fn imported(h: &Harness, ids: &[&String]) -> usize {
    ids.iter()
        .filter(|id| h.shop.orders_for(id).len() == 1)
        .count()
}

#[test]
fn a_panicking_job_is_parked_with_a_problem_and_the_others_go_on() {
    let mut h = setup();
    let first = h.order(&[("A", 1)]);
    let second = h.order(&[("B", 1)]);
    h.advance(60);
    let report = h.tick_panicking_at(ShopOp::CreateOrder, 1);
    assert!(report.ran);
    assert_eq!(report.count("import_order", "panicked"), 1, "{report:?}");
    assert_eq!(
        h.store.runner_lease(RUNNER_LEASE).unwrap(),
        None,
        "the runner lease is released"
    );
    let problems = h
        .store
        .list_problems(&ProblemFilter {
            kind: Some("job_panicked".to_owned()),
            ..ProblemFilter::open()
        })
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert!(
        problem.message.contains("crash before CreateOrder"),
        "{}",
        problem.message
    );
    assert!(
        problem.hint.as_deref().unwrap_or("").contains("Retry"),
        "{:?}",
        problem.hint
    );
    assert!(report.problems.iter().any(|p| p.kind == "job_panicked"));
    let job_id = problem.job_id.expect("linked to its job");
    let parked = h.store.job(job_id).unwrap().unwrap();
    assert_eq!(parked.state, JobState::Dead);

    // The next ticks run normally: the other order is imported, the parked one is not revived.
    h.run_minutes(3);
    assert_eq!(imported(&h, &[&first, &second]), 1);
    let still = h.store.job(job_id).unwrap().unwrap();
    assert_eq!(
        (still.state, still.attempts),
        (JobState::Dead, parked.attempts)
    );
    assert_eq!(h.store.problem(problem.id).unwrap().unwrap().occurrences, 1);

    // A person presses Retry: it runs again, and the problem is closed.
    h.store.retry_problem(problem.id).unwrap();
    h.run_minutes(2);
    assert_eq!(imported(&h, &[&first, &second]), 2);
    assert_eq!(
        h.store.problem(problem.id).unwrap().unwrap().state,
        ProblemState::Resolved
    );
    assert_eq!(h.open_problems("job_panicked"), 0);
}

#[test]
fn a_process_death_mid_tick_keeps_the_runner_lease_as_a_real_death_would() {
    let mut h = setup();
    h.order(&[("A", 1)]);
    h.advance(60);
    assert!(h.tick_crashing_at(ShopOp::CreateOrder, false));
    assert!(h.store.runner_lease(RUNNER_LEASE).unwrap().is_some());
}

/// The harness clock, panicking on every reading after the first once armed.
struct PanickingClock {
    inner: std::sync::Arc<mirakl_connector::store::ManualClock>,
    readings: std::sync::atomic::AtomicU32,
}

impl mirakl_connector::store::Clock for PanickingClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let n = self
            .readings
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n > 0 {
            panic!("clock bug");
        }
        self.inner.now()
    }
}

#[test]
fn a_panic_outside_any_job_releases_the_runner_lease_and_unwinds() {
    let mut h = setup();
    h.restart_with_clock(std::sync::Arc::new(PanickingClock {
        inner: h.clock.clone(),
        readings: std::sync::atomic::AtomicU32::new(0),
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        h.engine
            .tick(&mut h.shop, std::time::Duration::from_secs(30))
    }));
    let payload = outcome.expect_err("the panic reaches the caller's guard");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("clock bug"), "{message}");
    assert_eq!(h.store.runner_lease(RUNNER_LEASE).unwrap(), None);
    h.restart();
    h.advance(1);
    assert!(h.tick().ran);
}
