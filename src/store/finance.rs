//! Finance tables (migration `0003_finance.sql`): the ledger import's named positions
//! (`finance_import_state`: TL02 cursor, run in progress, last complete run, ...).
//!
//! The free functions take the connection so the import can call them inside its page
//! transaction; the `Store` methods are the same operations on their own.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Store, StoreError};

/// The value of the import position `name`, if set.
pub(crate) fn import_state(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM finance_import_state WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()
}

/// Sets the import position `name` (`now` in milliseconds).
pub(crate) fn set_import_state(
    conn: &Connection,
    name: &str,
    value: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO finance_import_state (name, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(params![name, value, now])?;
    Ok(())
}

/// Forgets the import position `name`.
pub(crate) fn clear_import_state(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM finance_import_state WHERE name = ?1")?
        .execute([name])?;
    Ok(())
}

impl Store {
    /// The finance import position `name`, if set.
    pub fn finance_import_state(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(import_state(&self.conn, name)?)
    }

    /// Sets the finance import position `name`.
    pub fn set_finance_import_state(&self, name: &str, value: &str) -> Result<(), StoreError> {
        Ok(set_import_state(&self.conn, name, value, self.now_ms())?)
    }

    /// Forgets the finance import position `name`.
    pub fn clear_finance_import_state(&self, name: &str) -> Result<(), StoreError> {
        Ok(clear_import_state(&self.conn, name)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_state_is_set_read_and_cleared() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.finance_import_state("tl02.cursor").unwrap(), None);
        store
            .set_finance_import_state("tl02.cursor", "2026-01-01T00:00:00+00:00")
            .unwrap();
        store.set_finance_import_state("tl02.cursor", "b").unwrap();
        assert_eq!(
            store
                .finance_import_state("tl02.cursor")
                .unwrap()
                .as_deref(),
            Some("b")
        );
        store.clear_finance_import_state("tl02.cursor").unwrap();
        assert_eq!(store.finance_import_state("tl02.cursor").unwrap(), None);
    }
}
