//! Forward-only numbered migrations; the schema version is `PRAGMA user_version`.
//! Migration N (1-based) is `MIGRATIONS[N-1]`; each applies in its own `BEGIN IMMEDIATE`
//! transaction with the version bump, so a crash or a racing process never half-applies one.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_queue_and_exceptions.sql"),
    include_str!("migrations/0002_ledgers_budgets_runner.sql"),
    include_str!("migrations/0003_finance.sql"),
    include_str!("migrations/0004_problems.sql"),
    include_str!("migrations/0005_shop_quantity.sql"),
    include_str!("migrations/0006_vocabulary.sql"),
    include_str!("migrations/0007_order_reads.sql"),
    include_str!("migrations/0008_purge_indexes.sql"),
];

/// The schema version this code writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

fn display_path(path: Option<&Path>) -> PathBuf {
    path.map_or_else(|| PathBuf::from(":memory:"), Path::to_path_buf)
}

/// Brings the database up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &Connection, path: Option<&Path>) -> Result<(), StoreError> {
    migrate_to(conn, path, SCHEMA_VERSION)
}

/// Applies migrations up to `target` (never down). Errors name the file.
pub(crate) fn migrate_to(
    conn: &Connection,
    path: Option<&Path>,
    target: i64,
) -> Result<(), StoreError> {
    let open_error = |e| match path {
        Some(p) => StoreError::from_open(p, e),
        None => StoreError::Sqlite(e),
    };
    // Fast path without a write lock: every open in every PHP request passes here.
    let found = user_version(conn).map_err(open_error)?;
    check_not_newer(found, path)?;
    if found >= target {
        return Ok(());
    }
    super::immediate(conn, |conn| {
        // Re-read under the lock: another process may have migrated meanwhile.
        let mut version = user_version(conn).map_err(open_error)?;
        check_not_newer(version, path)?;
        while version < target {
            let index = usize::try_from(version).unwrap_or(usize::MAX);
            let Some(sql) = MIGRATIONS.get(index) else {
                break;
            };
            let next = version + 1;
            conn.execute_batch(sql)
                .and_then(|()| conn.pragma_update(None, "user_version", next))
                .map_err(|source| StoreError::Migration {
                    path: display_path(path),
                    version: next,
                    source,
                })?;
            version = next;
        }
        Ok(())
    })
}

fn check_not_newer(found: i64, path: Option<&Path>) -> Result<(), StoreError> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: display_path(path),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn all_migrations_apply_to_an_empty_database() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn, None).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn migrating_from_every_earlier_version_reaches_the_same_schema() {
        let fresh = Connection::open_in_memory().unwrap();
        migrate(&fresh, None).unwrap();
        let expected = schema(&fresh);
        for start in 0..=SCHEMA_VERSION {
            let conn = Connection::open_in_memory().unwrap();
            migrate_to(&conn, None, start).unwrap();
            assert_eq!(user_version(&conn).unwrap(), start);
            migrate(&conn, None).unwrap();
            assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION, "from {start}");
            assert_eq!(schema(&conn), expected, "from {start}");
        }
    }

    #[test]
    fn the_problems_rename_keeps_every_row_and_the_one_open_row_per_entity_rule() {
        let conn = Connection::open_in_memory().unwrap();
        migrate_to(&conn, None, 3).unwrap();
        conn.execute_batch(
            "INSERT INTO exceptions (kind, severity, entity_type, entity_id, message, occurrences,
                                     first_seen, last_seen)
             VALUES ('carrier_unmapped', 'error', 'order', 'M-1', 'no carrier', 3, 1, 2);
             INSERT INTO exceptions (kind, severity, entity_type, entity_id, message, state,
                                     resolution, first_seen, last_seen, resolved_at)
             VALUES ('job_dead', 'critical', 'job', '7', 'died', 'resolved', 'retried', 1, 2, 3);",
        )
        .unwrap();
        migrate_to(&conn, None, 4).unwrap();
        let rows: Vec<(String, String, i64)> = conn
            .prepare("SELECT kind, state, occurrences FROM problems ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("carrier_unmapped".into(), "open".into(), 3),
                ("job_dead".into(), "resolved".into(), 1)
            ]
        );
        let repeat = conn.execute(
            "INSERT INTO problems (kind, severity, entity_type, entity_id, message, first_seen,
                                   last_seen)
             VALUES ('carrier_unmapped', 'error', 'order', 'M-1', 'again', 5, 5)",
            [],
        );
        assert!(
            repeat.is_err(),
            "a second open row for one entity must be refused"
        );
    }

    #[test]
    fn the_vocabulary_migration_renames_kinds_and_entity_types() {
        let conn = Connection::open_in_memory().unwrap();
        migrate_to(&conn, None, 5).unwrap();
        conn.execute_batch(
            "INSERT INTO problems (kind, severity, entity_type, entity_id, message, first_seen,
                                   last_seen)
             VALUES ('acceptance_deadline_50', 'warning', 'mirakl_order', 'M-1', 'half', 1, 2),
                    ('acceptance_deadline_80', 'warning', 'mirakl_order', 'M-1', 'most', 1, 3),
                    ('finance_refund_missing_in_mirakl', 'error', 'wc_refund', '55', 'r', 1, 2);
             INSERT INTO problems (kind, severity, entity_type, entity_id, message, state,
                                   resolution, first_seen, last_seen, resolved_at)
             VALUES ('acceptance_deadline_50', 'warning', 'mirakl_order', 'M-0', 'old',
                     'resolved', 'resolved', 1, 2, 3);",
        )
        .unwrap();
        migrate_to(&conn, None, 6).unwrap();
        let rows: Vec<(String, String, String)> = conn
            .prepare("SELECT kind, entity_type, state FROM problems ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let row = |k: &str, e: &str, s: &str| (k.to_owned(), e.to_owned(), s.to_owned());
        assert_eq!(
            rows,
            vec![
                row("acceptance_deadline_near", "mirakl_order", "resolved"),
                row("acceptance_deadline_near", "mirakl_order", "resolved"),
                row("finance_refund_missing_in_mirakl", "shop_refund", "open"),
                row("acceptance_deadline_near", "mirakl_order", "resolved"),
            ]
        );
    }

    #[test]
    fn the_shop_quantity_rename_keeps_the_ledger_values() {
        let conn = Connection::open_in_memory().unwrap();
        migrate_to(&conn, None, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO sku_ledger (sku, woo_quantity, updated_at) VALUES ('A', 7, 1);",
        )
        .unwrap();
        migrate_to(&conn, None, 5).unwrap();
        let quantity: i64 = conn
            .query_row(
                "SELECT shop_quantity FROM sku_ledger WHERE sku = 'A'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(quantity, 7);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn, None).unwrap();
        migrate(&conn, None).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&conn, None).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found, .. } if found == SCHEMA_VERSION + 1)
        );
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_version() {
        let conn = Connection::open_in_memory().unwrap();
        migrate_to(&conn, None, 1).unwrap();
        // Make migration 2 collide with an existing table.
        conn.execute_batch("CREATE TABLE sku_ledger (x)").unwrap();
        let err = migrate(&conn, None).unwrap_err();
        assert!(
            matches!(err, StoreError::Migration { version: 2, .. }),
            "{err}"
        );
        assert_eq!(user_version(&conn).unwrap(), 1);
    }
}
