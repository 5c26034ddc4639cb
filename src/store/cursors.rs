//! Sync cursors: named positions the pollers resume from (e.g. OR11's last `start_update_date`).
//! A cursor is written only after what it passes was recorded, so failures are re-read, not lost.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{from_ms, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub name: String,
    pub value: String,
    pub updated_at: DateTime<Utc>,
}

fn cursor_from_row(row: &Row<'_>) -> rusqlite::Result<Cursor> {
    Ok(Cursor {
        name: row.get(0)?,
        value: row.get(1)?,
        updated_at: from_ms(row.get(2)?),
    })
}

pub(crate) fn set(conn: &Connection, name: &str, value: &str, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sync_cursors (name, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(params![name, value, now])?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, name: &str) -> Result<Option<Cursor>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name, value, updated_at FROM sync_cursors WHERE name = ?1")?
        .query_row([name], cursor_from_row)
        .optional()?)
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<Cursor>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT name, value, updated_at FROM sync_cursors ORDER BY name")?;
    let rows = stmt.query_map([], cursor_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn set_cursor(&self, name: &str, value: &str) -> Result<(), StoreError> {
        set(&self.conn, name, value, self.now_ms())
    }

    pub fn cursor(&self, name: &str) -> Result<Option<Cursor>, StoreError> {
        get(&self.conn, name)
    }

    pub fn delete_cursor(&self, name: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM sync_cursors WHERE name = ?1")?
            .execute([name])?;
        Ok(())
    }

    pub fn list_cursors(&self) -> Result<Vec<Cursor>, StoreError> {
        list(&self.conn)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::store;
    use chrono::Duration;

    #[test]
    fn a_cursor_is_set_read_and_moved() {
        let (store, clock) = store();
        assert_eq!(store.cursor("or11").unwrap(), None);
        store.set_cursor("or11", "2026-01-01T00:00:00Z").unwrap();
        clock.advance(Duration::minutes(1));
        store.set_cursor("or11", "2026-01-01T00:01:00Z").unwrap();
        store.set_cursor("of52", "x").unwrap();
        let cursor = store.cursor("or11").unwrap().unwrap();
        assert_eq!(cursor.value, "2026-01-01T00:01:00Z");
        assert_eq!(cursor.updated_at, clock.now());
        let names: Vec<_> = store
            .list_cursors()
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["of52", "or11"]);
    }
}
