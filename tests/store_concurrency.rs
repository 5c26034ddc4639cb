//! The store under real concurrency: several OS processes (this test binary re-run as workers)
//! enqueue, claim and spend call budgets on one file at once; a worker killed with SIGKILL in the
//! middle of writing leaves a sound database. Workers are `#[ignore]`d tests run by name.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use mirakl_connector::mirakl::budget::{CallBudget, Limit};
use mirakl_connector::store::{Backoff, Failure, JobState, NewJob, Store};
use serde_json::json;

const LEASE: Duration = Duration::from_secs(60);

/// The multi-process tests run one at a time: on a small machine, nine busy processes at once
/// turn SQLite's sleeping busy handler into a convoy and the tests take minutes instead of seconds.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs the ignored test `name` of this binary in a new process with `env`.
fn spawn_worker(name: &str, env: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["--ignored", "--exact", name, "--test-threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.spawn().unwrap()
}

fn wait_ok(child: Child, what: &str) {
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `count` copies of worker `name` at once on `db`, each with STORE_TEST_WORKER = its index
/// and its own STORE_TEST_LOG, plus `extra`; waits for all and returns each one's log lines.
fn run_workers(name: &str, count: usize, db: &Path, extra: &[(&str, String)]) -> Vec<Vec<String>> {
    let logs: Vec<_> = (0..count)
        .map(|w| db.with_file_name(format!("{name}-{w}.log")))
        .collect();
    let children: Vec<Child> = logs
        .iter()
        .enumerate()
        .map(|(w, log)| {
            let mut vars = vec![
                ("STORE_TEST_DB", db.display().to_string()),
                ("STORE_TEST_WORKER", w.to_string()),
                ("STORE_TEST_LOG", log.display().to_string()),
            ];
            vars.extend(extra.iter().cloned());
            spawn_worker(name, &vars)
        })
        .collect();
    for (w, child) in children.into_iter().enumerate() {
        wait_ok(child, &format!("{name} {w}"));
    }
    logs.iter()
        .map(|log| {
            // A worker that logs nothing may not create its log.
            fs::read_to_string(log)
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn append_line(file: &mut fs::File, line: &str) {
    file.write_all(format!("{line}\n").as_bytes()).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Many processes enqueue and claim at once: no job is claimed twice, none is lost.

const WORKERS: usize = 4;
const OWN_JOBS: usize = 400;
const SHARED_KEYS: usize = 50;

/// Worker: enqueues its own jobs and every shared key (idempotently), claiming and finishing
/// between enqueues; logs each claim as "id key" to its log file.
#[test]
#[ignore = "run by queue_is_safe_across_processes in a child process"]
fn queue_worker() {
    let (Some(db), Some(worker), Some(log)) = (
        env("STORE_TEST_DB"),
        env("STORE_TEST_WORKER"),
        env("STORE_TEST_LOG"),
    ) else {
        return;
    };
    let store = Store::open(Path::new(&db)).unwrap();
    let mut log = fs::File::create(log).unwrap();
    let mut claim_and_finish = |store: &Store| -> usize {
        let jobs = store.claim(&[], 4, LEASE).unwrap();
        for job in &jobs {
            assert_eq!(job.state, JobState::Leased);
            append_line(&mut log, &format!("{} {}", job.id, job.key));
            store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        }
        jobs.len()
    };
    for i in 0..OWN_JOBS {
        let own = NewJob::new(
            "test",
            format!("w{worker}-{i}"),
            json!({"worker": worker, "i": i}),
        )
        .keep_existing()
        .priority((i % 3) as i32);
        store.enqueue(&own).unwrap();
        if i % 8 == 0 {
            let shared = NewJob::new(
                "test",
                format!("shared-{}", (i / 8) % SHARED_KEYS),
                json!({}),
            )
            .keep_existing();
            store.enqueue(&shared).unwrap();
        }
        if i % 5 == 4 {
            claim_and_finish(&store);
        }
    }
    let mut idle = 0;
    while idle < 3 {
        if claim_and_finish(&store) == 0 {
            idle += 1;
            std::thread::sleep(Duration::from_millis(5));
        } else {
            idle = 0;
        }
    }
}

#[test]
fn queue_is_safe_across_processes() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("queue.sqlite");
    drop(Store::open(&db).unwrap());
    let logs = run_workers("queue_worker", WORKERS, &db, &[]);

    // Whatever a late enqueue left behind, the parent drains.
    let store = Store::open(&db).unwrap();
    let mut claims: Vec<(i64, String)> = Vec::new();
    loop {
        let jobs = store.claim(&[], 100, LEASE).unwrap();
        if jobs.is_empty() {
            break;
        }
        for job in jobs {
            claims.push((job.id, job.key.clone()));
            store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        }
    }
    for line in logs.iter().flatten() {
        let (id, key) = line.split_once(' ').unwrap();
        claims.push((id.parse().unwrap(), key.to_owned()));
    }

    let mut seen: HashMap<i64, usize> = HashMap::new();
    for (id, _) in &claims {
        *seen.entry(*id).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "jobs claimed more than once: {twice:?}");

    let expected: HashSet<String> = (0..WORKERS)
        .flat_map(|w| (0..OWN_JOBS).map(move |i| format!("w{w}-{i}")))
        .chain((0..SHARED_KEYS).map(|s| format!("shared-{s}")))
        .collect();
    let claimed: HashSet<String> = claims.iter().map(|(_, key)| key.clone()).collect();
    assert_eq!(
        claims.len(),
        expected.len(),
        "every job claimed exactly once"
    );
    assert_eq!(claimed, expected, "no job lost, none invented");

    let stats = store.queue_stats().unwrap();
    assert_eq!((stats.pending, stats.leased, stats.dead), (0, 0, 0));
    assert_eq!(stats.done as usize, expected.len());
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// Call budgets hold across processes.

const BUDGET: Limit = Limit {
    window_secs: 1,
    max_calls: 5,
};

/// Worker: tries to spend the shared budget for the given time; logs each granted call's time.
#[test]
#[ignore = "run by budgets_hold_across_processes in a child process"]
fn budget_worker() {
    let (Some(db), Some(log), Some(millis)) = (
        env("STORE_TEST_DB"),
        env("STORE_TEST_LOG"),
        env("STORE_TEST_MILLIS"),
    ) else {
        return;
    };
    let store = Store::open(Path::new(&db)).unwrap();
    let mut log = fs::File::create(log).unwrap();
    let until = Instant::now() + Duration::from_millis(millis.parse().unwrap());
    while Instant::now() < until {
        let now = Utc::now();
        match store.try_acquire("OR11", &[BUDGET], now).unwrap() {
            Ok(()) => append_line(&mut log, &now.timestamp_millis().to_string()),
            Err(at) => {
                assert!(at > now, "a refusal names a later time");
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
}

#[test]
fn budgets_hold_across_processes() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("budget.sqlite");
    drop(Store::open(&db).unwrap());
    let logs = run_workers(
        "budget_worker",
        4,
        &db,
        &[("STORE_TEST_MILLIS", "2500".to_owned())],
    );
    let mut calls: Vec<i64> = logs.iter().flatten().map(|l| l.parse().unwrap()).collect();
    calls.sort_unstable();
    assert!(
        calls.len() >= 10,
        "the budget was usable: {} calls",
        calls.len()
    );
    // Any window of 1 s holds at most 5 granted calls.
    for (i, start) in calls.iter().enumerate() {
        let in_window = calls[i..].iter().take_while(|t| **t < start + 1000).count();
        assert!(
            in_window <= 5,
            "{in_window} calls in the second after {start}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SIGKILL in the middle of writes leaves a consistent database.

/// Worker: writes as fast as it can (enqueue, claim, finish, fail, ledger, problems), logging
/// each enqueued key after its commit, until it is killed.
#[test]
#[ignore = "run by a_killed_writer_leaves_a_consistent_database in a child process"]
fn writer_until_killed() {
    let (Some(db), Some(log), Some(round)) = (
        env("STORE_TEST_DB"),
        env("STORE_TEST_LOG"),
        env("STORE_TEST_ROUND"),
    ) else {
        return;
    };
    let store = Store::open(Path::new(&db))
        .unwrap()
        .with_backoff(SHORT_BACKOFF);
    let mut log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    for i in 0u64.. {
        let key = format!("r{round}-{i}");
        store
            .enqueue(&NewJob::new("kill", key.clone(), json!({"i": i})).keep_existing())
            .unwrap();
        append_line(&mut log, &key);
        store
            .enqueue(&NewJob::new(
                "stock",
                format!("sku-{}", i % 7),
                json!({"q": i}),
            ))
            .unwrap();
        store
            .set_shop_quantity(&format!("sku-{}", i % 7), i as i64)
            .unwrap();
        for job in store.claim(&[], 3, Duration::from_millis(500)).unwrap() {
            let lease = job.lease.as_deref().unwrap();
            if i % 4 == 0 {
                store
                    .fail(job.id, lease, &Failure::new("flaky").retry_at(Utc::now()))
                    .unwrap();
            } else {
                store.finish(job.id, lease).unwrap();
            }
        }
        if i % 10 == 0 {
            let _ = store.try_acquire("STO01", &[BUDGET], Utc::now()).unwrap();
        }
    }
}

/// Short retry delays so the parent drains retried and recovered jobs without waiting minutes.
const SHORT_BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(10),
    cap: Duration::from_millis(40),
};

#[test]
fn a_killed_writer_leaves_a_consistent_database() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("killed.sqlite");
    let log = dir.path().join("enqueued.log");
    drop(Store::open(&db).unwrap());
    for round in 0..3 {
        let mut child = spawn_worker(
            "writer_until_killed",
            &[
                ("STORE_TEST_DB", db.display().to_string()),
                ("STORE_TEST_LOG", log.display().to_string()),
                ("STORE_TEST_ROUND", round.to_string()),
            ],
        );
        std::thread::sleep(Duration::from_millis(400 + 150 * round));
        // Child::kill sends SIGKILL on Unix: no destructor, no rollback, no checkpoint runs.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "the writer must have been killed, not have finished"
        );
    }

    let raw = rusqlite::Connection::open(&db).unwrap();
    let check: String = raw
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let fk_violations: i64 = raw
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk_violations, 0);
    drop(raw);

    let store = Store::open(&db).unwrap().with_backoff(SHORT_BACKOFF);
    let logged = fs::read_to_string(&log).unwrap();
    let keys: Vec<&str> = logged.lines().collect();
    assert!(
        keys.len() > 10,
        "the writer made progress: {} enqueues",
        keys.len()
    );
    for key in &keys {
        assert!(
            store.find_job("kill", key).unwrap().is_some(),
            "committed job {key} lost"
        );
    }
    // Leases held by the killed writers expire and are recovered; then everything drains.
    std::thread::sleep(Duration::from_millis(600));
    store.recover_expired_leases().unwrap();
    let mut drained = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "queue did not drain: {:?}",
            store.queue_stats()
        );
        let jobs = store.claim(&[], 200, LEASE).unwrap();
        if jobs.is_empty() {
            let stats = store.queue_stats().unwrap();
            if stats.pending == 0 {
                break;
            }
            // Some jobs wait out their (short) backoff.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        for job in jobs {
            store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
            drained += 1;
        }
    }
    let stats = store.queue_stats().unwrap();
    assert_eq!(
        (stats.pending, stats.leased),
        (0, 0),
        "after {drained} drained"
    );
    assert_eq!(store.integrity_check().unwrap(), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// One runner at a time across processes.

/// Worker: repeatedly takes the runner lease, holds it briefly, releases it; logs "start end".
#[test]
#[ignore = "run by one_runner_at_a_time_across_processes in a child process"]
fn runner_worker() {
    let (Some(db), Some(log), Some(owner)) = (
        env("STORE_TEST_DB"),
        env("STORE_TEST_LOG"),
        env("STORE_TEST_WORKER"),
    ) else {
        return;
    };
    let store = Store::open(Path::new(&db)).unwrap();
    let mut log = fs::File::create(log).unwrap();
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        let ttl = Duration::from_secs(10);
        if store
            .acquire_runner_lease("tick", &owner, ttl)
            .unwrap()
            .is_some()
        {
            let start = Utc::now().timestamp_micros();
            std::thread::sleep(Duration::from_millis(3));
            let end = Utc::now().timestamp_micros();
            assert!(store.release_runner_lease("tick", &owner).unwrap());
            append_line(&mut log, &format!("{start} {end}"));
        } else {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

#[test]
fn one_runner_at_a_time_across_processes() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("runner.sqlite");
    drop(Store::open(&db).unwrap());
    let logs = run_workers("runner_worker", 4, &db, &[]);
    let mut held: Vec<(i64, i64, usize)> = Vec::new();
    for (w, lines) in logs.iter().enumerate() {
        for line in lines {
            let (start, end) = line.split_once(' ').unwrap();
            held.push((start.parse().unwrap(), end.parse().unwrap(), w));
        }
    }
    held.sort_unstable();
    let owners: HashSet<usize> = held.iter().map(|h| h.2).collect();
    assert!(
        held.len() >= 20 && owners.len() >= 2,
        "{} holds by {owners:?}",
        held.len()
    );
    for pair in held.windows(2) {
        assert!(pair[1].0 >= pair[0].1, "two runners at once: {pair:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Coalesced stock jobs across processes: the last write wins.

const STOCK_WRITERS: usize = 2;
const STOCK_KEYS: usize = 5;
const STOCK_UPDATES: usize = 300;

/// Worker: indexes below STOCK_WRITERS enqueue quantity updates (coalescing) for their own SKUs,
/// then leave a marker file; the others claim and finish, logging "sku seq", until every writer
/// is done and nothing is left.
#[test]
#[ignore = "run by the_last_stock_write_wins_across_processes in a child process"]
fn stock_worker() {
    let (Some(db), Some(log), Some(worker)) = (
        env("STORE_TEST_DB"),
        env("STORE_TEST_LOG"),
        env("STORE_TEST_WORKER"),
    ) else {
        return;
    };
    let worker: usize = worker.parse().unwrap();
    let db = Path::new(&db);
    let store = Store::open(db).unwrap();
    let marker = |w: usize| db.with_file_name(format!("writer-{w}.done"));
    if worker < STOCK_WRITERS {
        for seq in 0..STOCK_UPDATES {
            let sku = format!("sku-{worker}-{}", seq % STOCK_KEYS);
            store
                .enqueue(&NewJob::new("stock", sku, json!({ "seq": seq })))
                .unwrap();
        }
        fs::write(marker(worker), "").unwrap();
        return;
    }
    let mut log = fs::File::create(log).unwrap();
    loop {
        let writers_done = (0..STOCK_WRITERS).all(|w| marker(w).exists());
        let jobs = store.claim(&["stock"], 2, LEASE).unwrap();
        if jobs.is_empty() {
            if writers_done {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        for job in jobs {
            append_line(&mut log, &format!("{} {}", job.key, job.payload["seq"]));
            store.finish(job.id, job.lease.as_deref().unwrap()).unwrap();
        }
    }
}

#[test]
fn the_last_stock_write_wins_across_processes() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stock.sqlite");
    drop(Store::open(&db).unwrap());
    let logs = run_workers("stock_worker", STOCK_WRITERS + 2, &db, &[]);

    let mut processed: HashMap<String, Vec<usize>> = HashMap::new();
    for line in logs.iter().flatten() {
        let (sku, seq) = line.split_once(' ').unwrap();
        processed
            .entry(sku.to_owned())
            .or_default()
            .push(seq.parse().unwrap());
    }
    assert_eq!(processed.len(), STOCK_WRITERS * STOCK_KEYS);
    for (sku, seqs) in &processed {
        let key = sku.rsplit('-').next().unwrap().parse::<usize>().unwrap();
        let last_written = (0..STOCK_UPDATES)
            .filter(|s| s % STOCK_KEYS == key)
            .max()
            .unwrap();
        assert_eq!(seqs.iter().max(), Some(&last_written), "{sku}: {seqs:?}");
        let distinct: HashSet<_> = seqs.iter().collect();
        assert_eq!(
            distinct.len(),
            seqs.len(),
            "{sku}: a payload ran twice: {seqs:?}"
        );
    }
    let store = Store::open(&db).unwrap();
    let stats = store.queue_stats().unwrap();
    assert_eq!(
        (stats.pending, stats.leased, stats.done),
        (0, 0, (STOCK_WRITERS * STOCK_KEYS) as u64)
    );
    for sku in processed.keys() {
        let job = store.find_job("stock", sku).unwrap().unwrap();
        assert_eq!(
            job.payload["seq"],
            json!(processed[sku].iter().max().unwrap())
        );
    }
}
