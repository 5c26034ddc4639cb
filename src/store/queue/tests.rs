//! The queue's unit tests: every write operation, its lease checks and its edge cases.

use super::*;
use crate::store::test_support::store;
use crate::store::{ProblemFilter, Store};
use chrono::Duration as Span;
use serde_json::json;

const LEASE: Duration = Duration::from_secs(60);

fn claim_one(store: &Store) -> Job {
    let mut jobs = store.claim(&[], 1, LEASE).unwrap();
    assert_eq!(jobs.len(), 1, "expected one due job");
    jobs.remove(0)
}

#[test]
fn enqueue_inserts_once_per_kind_and_key() {
    let (store, clock) = store();
    let first = store
        .enqueue(&NewJob::new("stock", "A", json!({"q": 1})))
        .unwrap();
    assert_eq!(first.outcome, EnqueueOutcome::Inserted);
    let other = store
        .enqueue(&NewJob::new("offer", "A", json!({})))
        .unwrap();
    assert_ne!(other.id, first.id);
    let job = store.job(first.id).unwrap().unwrap();
    assert_eq!(
        (job.state, job.attempts, job.run_at),
        (JobState::Pending, 0, clock.now())
    );
    assert_eq!(job.max_attempts, DEFAULT_MAX_ATTEMPTS);
}

#[test]
fn coalescing_replaces_a_waiting_jobs_payload_and_run_at() {
    let (store, clock) = store();
    let later = clock.now() + Span::minutes(5);
    let first = store
        .enqueue(&NewJob::new("stock", "A", json!({"q": 1})).run_at(later))
        .unwrap();
    let again = store
        .enqueue(&NewJob::new("stock", "A", json!({"q": 2})).priority(3))
        .unwrap();
    assert_eq!(
        again,
        Enqueued {
            id: first.id,
            outcome: EnqueueOutcome::Coalesced
        }
    );
    let job = store.job(first.id).unwrap().unwrap();
    assert_eq!(job.payload, json!({"q": 2}));
    assert_eq!(
        (job.run_at, job.priority, job.enqueue_count),
        (clock.now(), 3, 2)
    );
    assert_eq!(store.queue_stats().unwrap().pending, 1);
}

#[test]
fn keep_existing_never_changes_the_first_job_even_when_done() {
    let (store, _clock) = store();
    let first = store
        .enqueue(&NewJob::new("refund", "9", json!({"amount": "5.00"})).keep_existing())
        .unwrap();
    let again = store
        .enqueue(&NewJob::new("refund", "9", json!({"amount": "7.00"})).keep_existing())
        .unwrap();
    assert_eq!(
        again,
        Enqueued {
            id: first.id,
            outcome: EnqueueOutcome::AlreadyQueued
        }
    );
    let job = claim_one(&store);
    assert_eq!(job.payload, json!({"amount": "5.00"}));
    store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
    let after = store
        .enqueue(&NewJob::new("refund", "9", json!({})).keep_existing())
        .unwrap();
    assert_eq!(after.outcome, EnqueueOutcome::AlreadyQueued);
    assert_eq!(store.job(first.id).unwrap().unwrap().state, JobState::Done);
    assert!(store.claim(&[], 10, LEASE).unwrap().is_empty());
}

#[test]
fn a_payload_enqueued_during_a_run_runs_after_it_and_the_last_write_wins() {
    let (store, _clock) = store();
    store
        .enqueue(&NewJob::new("stock", "A", json!({"q": 1})))
        .unwrap();
    let running = claim_one(&store);
    let lease = running.lease.clone().unwrap();
    for q in [2, 3] {
        let queued = store
            .enqueue(&NewJob::new("stock", "A", json!({"q": q})))
            .unwrap();
        assert_eq!(queued.outcome, EnqueueOutcome::QueuedBehindLease);
    }
    // The running attempt is not clobbered and the job is not claimable twice.
    let during = store.job(running.id).unwrap().unwrap();
    assert_eq!(
        (during.state, during.payload.clone()),
        (JobState::Leased, json!({"q": 1}))
    );
    assert!(during.superseded);
    assert!(store.claim(&[], 10, LEASE).unwrap().is_empty());

    assert_eq!(
        store.finish(running.id, &lease).unwrap(),
        Finished::Requeued
    );
    let next = claim_one(&store);
    assert_eq!(
        (next.id, next.payload.clone()),
        (running.id, json!({"q": 3}))
    );
    assert!(!next.superseded);
    assert_eq!(
        store
            .finish(next.id, next.lease.as_deref().unwrap())
            .unwrap(),
        Finished::Done
    );
}

#[test]
fn coalescing_a_done_or_dead_job_queues_it_again() {
    let (store, _clock) = store();
    store
        .enqueue(&NewJob::new("stock", "A", json!(1)).max_attempts(1))
        .unwrap();
    let job = claim_one(&store);
    store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
    let revived = store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
    assert_eq!(revived.outcome, EnqueueOutcome::Coalesced);
    let job = claim_one(&store);
    assert_eq!(job.payload, json!(2));
    store
        .fail(
            job.id,
            job.lease.as_deref().unwrap(),
            &Failure::new("boom").permanent(),
        )
        .unwrap();
    assert_eq!(store.job(job.id).unwrap().unwrap().state, JobState::Dead);
    store.enqueue(&NewJob::new("stock", "A", json!(3))).unwrap();
    let job = store.job(job.id).unwrap().unwrap();
    assert_eq!(
        (job.state, job.attempts, job.last_error),
        (JobState::Pending, 0, None)
    );
    assert_eq!(job.finished_at, None);
}

#[test]
fn a_finished_job_queued_again_ages_from_its_new_enqueue() {
    let (store, clock) = store();
    store.enqueue(&NewJob::new("stock", "A", json!(1))).unwrap();
    let job = claim_one(&store);
    store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
    clock.advance(Span::days(2));
    store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
    let revived = store.job(job.id).unwrap().unwrap();
    assert_eq!(revived.created_at, clock.now(), "a revived job is new work");
    // A waiting job queued again keeps its age: the oldest waiting item is not reset by a burst.
    clock.advance(Span::hours(1));
    store.enqueue(&NewJob::new("stock", "A", json!(3))).unwrap();
    assert_eq!(
        store.job(job.id).unwrap().unwrap().created_at,
        revived.created_at
    );
}

#[test]
fn claim_takes_due_jobs_by_priority_then_time() {
    let (store, clock) = store();
    let now = clock.now();
    store
        .enqueue(&NewJob::new("k", "late", json!(0)).run_at(now - Span::seconds(1)))
        .unwrap();
    store
        .enqueue(&NewJob::new("k", "early", json!(0)).run_at(now - Span::seconds(9)))
        .unwrap();
    store
        .enqueue(&NewJob::new("k", "urgent", json!(0)).priority(10))
        .unwrap();
    store
        .enqueue(
            &NewJob::new("k", "future", json!(0))
                .priority(99)
                .run_at(now + Span::seconds(1)),
        )
        .unwrap();
    let jobs = store.claim(&[], 10, LEASE).unwrap();
    let keys: Vec<_> = jobs.iter().map(|j| j.key.as_str()).collect();
    assert_eq!(keys, ["urgent", "early", "late"]);
    for job in &jobs {
        assert_eq!(job.state, JobState::Leased);
        assert_eq!(job.lease_expires_at, Some(now + Span::seconds(60)));
    }
    let leases: std::collections::HashSet<_> = jobs.iter().map(|j| j.lease.clone()).collect();
    assert_eq!(leases.len(), 3, "each job gets its own lease token");
    clock.advance(Span::seconds(1));
    assert_eq!(claim_one(&store).key, "future");
}

#[test]
fn claim_respects_limit_and_kinds() {
    let (store, _clock) = store();
    for i in 0..5 {
        store
            .enqueue(&NewJob::new("a", i.to_string(), json!(i)))
            .unwrap();
        store
            .enqueue(&NewJob::new("b", i.to_string(), json!(i)))
            .unwrap();
    }
    assert_eq!(store.claim(&["a"], 3, LEASE).unwrap().len(), 3);
    let rest = store.claim(&["a", "c"], 10, LEASE).unwrap();
    assert_eq!(rest.len(), 2);
    assert!(rest.iter().all(|j| j.kind == "a"));
    assert_eq!(store.claim(&[], 100, LEASE).unwrap().len(), 5);
    assert!(store.claim(&[], 100, LEASE).unwrap().is_empty());
}

#[test]
fn finish_checks_the_lease() {
    let (store, _clock) = store();
    store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
    let job = claim_one(&store);
    let err = store.finish(job.id, "not-the-lease").unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { job_id } if job_id == job.id));
    let lease = job.lease.as_deref().unwrap();
    assert_eq!(store.finish(job.id, lease).unwrap(), Finished::Done);
    assert!(matches!(
        store.finish(job.id, lease),
        Err(StoreError::LeaseLost { .. })
    ));
    let done = store.job(job.id).unwrap().unwrap();
    assert_eq!((done.state, done.lease), (JobState::Done, None));
    assert!(done.finished_at.is_some());
}

#[test]
fn fail_backs_off_with_jitter_and_records_the_error() {
    let (store, clock) = store();
    store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
    let job = claim_one(&store);
    let failed = store
        .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("503"))
        .unwrap();
    let Failed::RetryAt(at) = failed else {
        panic!("expected a retry, got {failed:?}")
    };
    // Default backoff: 30 s base, equal jitter → between 15 and 30 s.
    assert!(
        at >= clock.now() + Span::seconds(15) && at <= clock.now() + Span::seconds(30),
        "{at}"
    );
    let stored = store.job(job.id).unwrap().unwrap();
    assert_eq!(
        (stored.state, stored.attempts, stored.run_at),
        (JobState::Pending, 1, at)
    );
    assert_eq!(stored.last_error.as_deref(), Some("503"));
    assert!(store.claim(&[], 1, LEASE).unwrap().is_empty());
    clock.set(at);
    assert_eq!(claim_one(&store).attempts, 1);
}

#[test]
fn fail_honours_a_later_retry_at() {
    let (store, clock) = store();
    store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
    let job = claim_one(&store);
    let retry_after = clock.now() + Span::minutes(10);
    let failure = Failure::new("429").retry_at(retry_after);
    assert_eq!(
        store
            .fail(job.id, job.lease.as_deref().unwrap(), &failure)
            .unwrap(),
        Failed::RetryAt(retry_after)
    );
    assert!(matches!(
        store.fail(job.id, job.lease.as_deref().unwrap(), &failure),
        Err(StoreError::LeaseLost { .. })
    ));
}

#[test]
fn the_last_attempt_kills_the_job_and_raises_one_problem() {
    let (store, clock) = store();
    let id = store
        .enqueue(&NewJob::new("ship", "W-7", json!({"order": 7})).max_attempts(3))
        .unwrap()
        .id;
    let mut outcome = None;
    for attempt in 1..=3 {
        let job = claim_one(&store);
        outcome = Some(
            store
                .fail(
                    id,
                    job.lease.as_deref().unwrap(),
                    &Failure::new(format!("err {attempt}")),
                )
                .unwrap(),
        );
        clock.advance(Span::hours(2));
    }
    let Some(Failed::Dead { problem_id }) = outcome else {
        panic!("{outcome:?}")
    };
    let job = store.job(id).unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Dead, 3));
    let problem = store.problem(problem_id).unwrap().unwrap();
    assert_eq!(problem.kind, crate::vocab::ProblemKind::JobDead.as_str());
    assert_eq!(
        (problem.entity_type.as_str(), problem.entity_id.as_str()),
        ("ship", "W-7")
    );
    assert_eq!(problem.job_id, Some(id));
    assert_eq!(problem.message, "err 3");
    assert_eq!(problem.details.unwrap()["payload"], json!({"order": 7}));
    assert!(problem.hint.is_some());
    assert_eq!(
        store.list_problems(&ProblemFilter::open()).unwrap().len(),
        1
    );
}

#[test]
fn a_failure_of_a_superseded_payload_retries_with_the_newer_one() {
    let (store, clock) = store();
    store
        .enqueue(&NewJob::new("stock", "A", json!(1)).max_attempts(1))
        .unwrap();
    let job = claim_one(&store);
    store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
    let failed = store
        .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("x"))
        .unwrap();
    assert!(
        matches!(failed, Failed::RetryAt(_)),
        "newer payload must not die with the old one"
    );
    let stored = store.job(job.id).unwrap().unwrap();
    assert_eq!(
        (stored.state, stored.payload, stored.attempts),
        (JobState::Pending, json!(2), 0)
    );
    assert!(!stored.superseded);
    clock.advance(Span::hours(1));
    assert_eq!(claim_one(&store).payload, json!(2));
}

#[test]
fn release_returns_the_job_without_counting_an_attempt() {
    let (store, clock) = store();
    store.enqueue(&NewJob::new("k", "1", json!(null))).unwrap();
    let job = claim_one(&store);
    let at = clock.now() + Span::seconds(45);
    store
        .release(job.id, job.lease.as_deref().unwrap(), Some(at))
        .unwrap();
    let stored = store.job(job.id).unwrap().unwrap();
    assert_eq!(
        (stored.state, stored.attempts, stored.run_at),
        (JobState::Pending, 0, at)
    );
    assert!(matches!(
        store.release(job.id, job.lease.as_deref().unwrap(), None),
        Err(StoreError::LeaseLost { .. })
    ));
}

#[test]
fn expired_leases_are_recovered_as_failed_attempts() {
    let (store, clock) = store();
    store
        .enqueue(&NewJob::new("k", "stuck", json!(null)))
        .unwrap();
    store
        .enqueue(&NewJob::new("k", "alive", json!(null)))
        .unwrap();
    let stuck = store
        .claim(&[], 1, Duration::from_secs(10))
        .unwrap()
        .remove(0);
    let alive = store
        .claim(&[], 1, Duration::from_secs(600))
        .unwrap()
        .remove(0);
    assert_eq!(store.recover_expired_leases().unwrap(), 0);
    clock.advance(Span::seconds(10));
    assert_eq!(store.recover_expired_leases().unwrap(), 1);
    let recovered = store.job(stuck.id).unwrap().unwrap();
    assert_eq!(
        (recovered.state, recovered.attempts),
        (JobState::Pending, 1)
    );
    assert_eq!(recovered.last_error.as_deref(), Some(LEASE_EXPIRED_MESSAGE));
    // The stopped worker cannot finish it any more; the live one still can.
    assert!(matches!(
        store.finish(stuck.id, stuck.lease.as_deref().unwrap()),
        Err(StoreError::LeaseLost { .. })
    ));
    assert_eq!(
        store
            .finish(alive.id, alive.lease.as_deref().unwrap())
            .unwrap(),
        Finished::Done
    );
}

#[test]
fn a_job_that_keeps_killing_its_worker_ends_dead() {
    let (store, clock) = store();
    store
        .enqueue(&NewJob::new("k", "poison", json!(null)).max_attempts(2))
        .unwrap();
    for _ in 0..2 {
        clock.advance(Span::hours(2));
        store.claim(&[], 1, LEASE).unwrap();
        clock.advance(Span::minutes(2));
        store.recover_expired_leases().unwrap();
    }
    let job = store.find_job("k", "poison").unwrap().unwrap();
    assert_eq!(job.state, JobState::Dead);
}

#[test]
fn coalescing_does_not_cut_a_backoff_short() {
    let (store, _clock) = store();
    store.enqueue(&NewJob::new("stock", "A", json!(1))).unwrap();
    let job = claim_one(&store);
    let Failed::RetryAt(at) = store
        .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("down"))
        .unwrap()
    else {
        panic!()
    };
    store.enqueue(&NewJob::new("stock", "A", json!(2))).unwrap();
    let stored = store.job(job.id).unwrap().unwrap();
    assert_eq!((stored.payload, stored.run_at), (json!(2), at));
}

#[test]
fn stats_count_by_state_and_kind() {
    let (store, clock) = store();
    let now = clock.now();
    store
        .enqueue(&NewJob::new("a", "1", json!(null)).run_at(now - Span::seconds(30)))
        .unwrap();
    store
        .enqueue(&NewJob::new("a", "2", json!(null)).run_at(now + Span::seconds(30)))
        .unwrap();
    store.enqueue(&NewJob::new("b", "1", json!(null))).unwrap();
    store.enqueue(&NewJob::new("b", "2", json!(null))).unwrap();
    let claimed = store.claim(&["b"], 1, LEASE).unwrap();
    store
        .finish(claimed[0].id, claimed[0].lease.as_deref().unwrap())
        .unwrap();
    let leased = store.claim(&["b"], 1, LEASE).unwrap();
    assert_eq!(leased.len(), 1);
    let stats = store.queue_stats().unwrap();
    assert_eq!(
        (
            stats.pending,
            stats.due,
            stats.leased,
            stats.done,
            stats.dead
        ),
        (2, 1, 1, 1, 0)
    );
    assert_eq!(stats.oldest_due_at, Some(now - Span::seconds(30)));
    assert_eq!(stats.by_kind.len(), 2);
    assert_eq!(
        (
            stats.by_kind[0].kind.as_str(),
            stats.by_kind[0].pending,
            stats.by_kind[0].due
        ),
        ("a", 2, 1)
    );
    assert_eq!((stats.by_kind[1].leased, stats.by_kind[1].done), (1, 1));
    assert_eq!(
        store
            .list_jobs(Some(JobState::Pending), Some("a"), 10, 0)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn done_jobs_older_than_a_cutoff_are_listed_and_purged() {
    let (store, clock) = store();
    for key in ["old", "new"] {
        store.enqueue(&NewJob::new("k", key, json!(null))).unwrap();
        let job = claim_one(&store);
        store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        clock.advance(Span::days(3));
    }
    store
        .enqueue(&NewJob::new("k", "pending", json!(null)).run_at(clock.now() + Span::days(30)))
        .unwrap();
    let week = Duration::from_secs(5 * 86_400);
    let old = store.list_done_older_than(week, 10).unwrap();
    assert_eq!(
        old.iter().map(|j| j.key.as_str()).collect::<Vec<_>>(),
        ["old"]
    );
    assert_eq!(store.purge_done_older_than(week).unwrap(), 1);
    assert_eq!(store.find_job("k", "old").unwrap(), None);
    assert!(store.find_job("k", "new").unwrap().is_some());
    assert!(store.find_job("k", "pending").unwrap().is_some());
}

#[test]
fn backoff_grows_exponentially_within_jitter_and_is_capped() {
    let backoff = Backoff {
        base: Duration::from_secs(10),
        cap: Duration::from_secs(100),
    };
    let mut rng = rand::thread_rng();
    for _ in 0..200 {
        let first = backoff.delay(1, &mut rng);
        assert!(first >= Duration::from_secs(5) && first <= Duration::from_secs(10));
        let third = backoff.delay(3, &mut rng);
        assert!(third >= Duration::from_secs(20) && third <= Duration::from_secs(40));
        let late = backoff.delay(40, &mut rng);
        assert!(late >= Duration::from_secs(50) && late <= Duration::from_secs(100));
    }
}

#[test]
fn the_next_run_is_the_earliest_pending_job_of_the_kinds_in_one_query() {
    let (store, clock) = store();
    assert_eq!(store.next_run_at(&["stock"]).unwrap(), None);
    for minutes in (1..=30).rev() {
        store
            .enqueue(
                &NewJob::new("stock", format!("S{minutes}"), json!({}))
                    .run_at(clock.now() + Span::minutes(minutes)),
            )
            .unwrap();
    }
    store
        .enqueue(&NewJob::new("other", "early", json!({})).run_at(clock.now()))
        .unwrap();
    assert_eq!(
        store.next_run_at(&["stock"]).unwrap(),
        Some(clock.now() + Span::minutes(1))
    );
    assert_eq!(
        store.next_run_at(&["stock", "other"]).unwrap(),
        Some(clock.now())
    );
    // Leased and finished jobs are not waiting.
    let job = claim_one(&store);
    assert_eq!(job.kind, "other");
    store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
    assert_eq!(
        store.next_run_at(&["other"]).unwrap(),
        None,
        "a done job is not due"
    );
}

#[test]
fn waking_makes_waiting_jobs_due_now_and_the_oldest_waiting_is_known() {
    let (store, clock) = store();
    let later = clock.now() + Span::minutes(10);
    let a = store
        .enqueue(&NewJob::new("refund_order", "1", json!({})).run_at(later))
        .unwrap()
        .id;
    clock.advance(Span::minutes(1));
    store
        .enqueue(&NewJob::new("refund_order", "2", json!({})).run_at(later))
        .unwrap();
    assert_eq!(
        store.oldest_waiting_job(&["refund_order"]).unwrap(),
        Some(clock.now() - Span::minutes(1))
    );
    assert_eq!(store.wake_jobs(&[a]).unwrap(), 1);
    assert_eq!(store.job(a).unwrap().unwrap().run_at, clock.now());
    assert_eq!(claim_one(&store).id, a);
}

#[test]
fn a_job_parked_by_a_panic_stays_parked_for_the_same_payload() {
    let (store, _clock) = store();
    store
        .enqueue(&NewJob::new("import", "O-1", json!(1)))
        .unwrap();
    let job = claim_one(&store);
    let failed = store
        .fail(
            job.id,
            job.lease.as_deref().unwrap(),
            &Failure::new("internal error: overflow").panicked(),
        )
        .unwrap();
    let Failed::Dead { problem_id } = failed else {
        panic!("parked at once, not retried: {failed:?}");
    };
    let problem = store.problem(problem_id).unwrap().unwrap();
    assert_eq!(
        problem.kind,
        crate::vocab::ProblemKind::JobPanicked.as_str()
    );
    assert!(problem.hint.unwrap().contains("Retry"));

    // The same payload seen again (the next poll) does not revive it.
    let again = store
        .enqueue(&NewJob::new("import", "O-1", json!(1)))
        .unwrap();
    assert_eq!(
        again,
        Enqueued {
            id: job.id,
            outcome: EnqueueOutcome::Parked
        }
    );
    assert_eq!(store.job(job.id).unwrap().unwrap().state, JobState::Dead);
    // New data from the marketplace is new work.
    let changed = store
        .enqueue(&NewJob::new("import", "O-1", json!(2)))
        .unwrap();
    assert_eq!(changed.outcome, EnqueueOutcome::Coalesced);
    let job = claim_one(&store);
    assert_eq!(job.payload, json!(2));
    store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
    let healed = store.problem(problem_id).unwrap().unwrap();
    assert_eq!(healed.state, crate::store::ProblemState::Resolved);
}

#[test]
fn payloads_of_jobs_finished_before_the_retention_are_blanked_never_waiting_ones() {
    let (store, clock) = store();
    let address = json!({"customer": {"shipping_address": {"street_1": "1 rue de la Paix"}}});
    let finish = |key: &str| {
        store
            .enqueue(&NewJob::new("import_order", key, address.clone()).keep_existing())
            .unwrap();
        let job = claim_one(&store);
        store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        job.id
    };
    let done = finish("M-1");
    // Done, but held by a problem a person is to act on (its Retry re-runs the job's payload).
    let done_held = finish("M-9");
    store
        .raise_problem(
            &crate::store::NewProblem::new(
                crate::vocab::ProblemKind::OrderRejectedByShop,
                crate::vocab::EntityType::MiraklOrder,
                "M-9".to_owned(),
                "held",
            )
            .job(done_held),
        )
        .unwrap();
    let dead_resolved = store
        .enqueue(&NewJob::new("ship", "W-1", address.clone()).max_attempts(1))
        .unwrap()
        .id;
    let job = claim_one(&store);
    let Failed::Dead { problem_id } = store
        .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("x"))
        .unwrap()
    else {
        panic!("not dead")
    };
    store.resolve_problem(problem_id).unwrap();
    let dead_open = store
        .enqueue(&NewJob::new("ship", "W-2", address.clone()).max_attempts(1))
        .unwrap()
        .id;
    let job = claim_one(&store);
    store
        .fail(job.id, job.lease.as_deref().unwrap(), &Failure::new("x"))
        .unwrap();
    clock.advance(Span::days(29));
    let recent = finish("M-2");
    let waiting = store
        .enqueue(&NewJob::new("import_order", "M-3", address.clone()).run_at(clock.now()))
        .unwrap()
        .id;
    let retrying = store
        .enqueue(&NewJob::new("ship", "W-3", address.clone()))
        .unwrap()
        .id;
    let job = claim_one(&store);
    assert_eq!(job.id, waiting);
    store
        .release(job.id, job.lease.as_deref().unwrap(), None)
        .unwrap();
    let job = store.claim(&["ship"], 1, Duration::from_secs(60)).unwrap();
    store
        .fail(
            job[0].id,
            job[0].lease.as_deref().unwrap(),
            &Failure::new("y"),
        )
        .unwrap();
    clock.advance(Span::days(2));

    let month = Duration::from_secs(30 * 86_400);
    assert_eq!(store.purge_job_payloads_older_than(month, 1).unwrap(), 1);
    assert_eq!(store.purge_job_payloads_older_than(month, 100).unwrap(), 1);
    assert_eq!(store.purge_job_payloads_older_than(month, 100).unwrap(), 0);
    let payload = |id: i64| store.job(id).unwrap().unwrap().payload;
    assert_eq!(payload(done), json!(null));
    assert_eq!(payload(dead_resolved), json!(null));
    for kept in [done_held, dead_open, recent, waiting, retrying] {
        assert_eq!(payload(kept), address, "job {kept}");
    }
    // The keys, states and ids stay: the same order is still imported exactly once.
    let row = store.job(done).unwrap().unwrap();
    assert_eq!((row.state, row.key.as_str()), (JobState::Done, "M-1"));
    let again = store
        .enqueue(&NewJob::new("import_order", "M-1", address.clone()).keep_existing())
        .unwrap();
    assert_eq!(
        (again.id, again.outcome),
        (done, EnqueueOutcome::AlreadyQueued)
    );

    // A closed problem's copy of the payload goes too; an open one keeps its copy.
    assert_eq!(
        store.purge_problem_payloads_older_than(month, 100).unwrap(),
        1
    );
    let resolved = store.problem(problem_id).unwrap().unwrap();
    assert!(resolved.details.unwrap().get("payload").is_none());
    let open = store.list_problems(&ProblemFilter::open()).unwrap();
    assert!(open
        .iter()
        .any(|p| p.details.as_ref().unwrap()["payload"] == address));
}
