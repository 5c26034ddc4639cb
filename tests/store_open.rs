//! Opening the store file: creation, reopening, and the clear errors (naming the file) for a bad
//! path, a file that is not a database and a schema newer than the code.

use std::fs;

use mirakl_connector::store::{NewJob, Store, StoreError, SCHEMA_VERSION};
use serde_json::json;

#[test]
fn a_new_file_is_created_migrated_and_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connector.sqlite");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.path(), Some(path.as_path()));
    store
        .enqueue(&NewJob::new("k", "1", json!({"a": 1})))
        .unwrap();
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");

    let reopened = Store::open(&path).unwrap();
    assert_eq!(
        reopened.find_job("k", "1").unwrap().unwrap().payload,
        json!({"a": 1})
    );
    assert_eq!(reopened.integrity_check().unwrap(), Ok(()));
}

#[test]
fn a_missing_directory_is_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("connector.sqlite");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_path_under_a_regular_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    fs::write(&file, "x").unwrap();
    let path = file.join("connector.sqlite");
    let err = Store::open(&path).unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn a_directory_as_the_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connector.sqlite");
    fs::write(&path, "this is a text file, not SQLite; ".repeat(200)).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("file is not a database"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    // The file is left as it was for the admin to inspect.
    assert!(fs::read_to_string(&path)
        .unwrap()
        .starts_with("this is a text file"));
}

#[test]
fn a_newer_schema_is_refused_with_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connector.sqlite");
    drop(Store::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
        .unwrap();
    drop(raw);
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::SchemaTooNew {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (SCHEMA_VERSION + 5, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn an_older_schema_is_migrated_forward_keeping_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connector.sqlite");
    {
        let store = Store::open(&path).unwrap();
        store.enqueue(&NewJob::new("k", "kept", json!(1))).unwrap();
    }
    // Simulate a file from the first release: only migration 1 applied.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TABLE order_read_requests; DROP TABLE order_snapshots;
         DROP TABLE sku_ledger; DROP TABLE orders_map; DROP TABLE refunds;
         DROP TABLE sync_cursors; DROP TABLE api_calls; DROP TABLE runner_lease;
         DROP INDEX problems_open_entity; DROP INDEX problems_last_seen; DROP INDEX problems_job;
         DROP INDEX problems_resolved_at; DROP INDEX jobs_finished_or_dead;
         ALTER TABLE problems RENAME TO exceptions;
         CREATE UNIQUE INDEX exceptions_open_entity ON exceptions (kind, entity_type, entity_id)
             WHERE state = 'open';
         CREATE INDEX exceptions_last_seen ON exceptions (state, last_seen DESC);
         CREATE INDEX exceptions_job ON exceptions (job_id);
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(raw);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.find_job("k", "kept").unwrap().is_some());
    store.set_shop_quantity("A", 1).unwrap();
}

#[test]
fn errors_are_values_not_panics_for_odd_paths() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["", "?mode=ro", "file:x.db"] {
        let path = dir.path().join(name);
        // Whatever SQLite makes of these, the call returns.
        let _ = Store::open(&path);
    }
}

#[test]
fn damaged_pages_are_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connector.sqlite");
    {
        let store = Store::open(&path).unwrap();
        for i in 0..500 {
            store
                .enqueue(&NewJob::new(
                    "k",
                    i.to_string(),
                    json!({"pad": "x".repeat(200)}),
                ))
                .unwrap();
        }
    }
    // Fold the WAL into the main file, then scribble over the middle of it.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(raw);
    let mut bytes = fs::read(&path).unwrap();
    assert!(bytes.len() > 40_000);
    for b in &mut bytes[8192..40_000] {
        *b = 0xA5;
    }
    fs::write(&path, bytes).unwrap();

    match Store::open(&path) {
        Err(err) => assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        ),
        Ok(store) => {
            let check = store.integrity_check();
            let reads = store.list_jobs(None, None, 1000, 0);
            assert!(
                matches!(check, Ok(Err(_)) | Err(_)) || reads.is_err(),
                "damage must be visible: {check:?}"
            );
        }
    }
}
