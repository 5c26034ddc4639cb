//! The state file holds order payloads and shop data: on Unix it is created owner-only (0600)
//! before SQLite opens it, and an existing file (and its WAL/SHM companions) is narrowed to 0600.
//! SQLite gives the `-wal` and `-shm` files it creates later the main file's mode.

use std::path::Path;

/// Creates `path` with mode 0600 when missing and narrows an existing one (best effort: a file
/// owned by another user keeps its mode, and SQLite then reports what it can or cannot do).
#[cfg(unix)]
pub(crate) fn restrict(path: &Path) {
    use std::fs::{self, OpenOptions, Permissions};
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    if !path.exists() {
        let _ = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        if let Ok(meta) = fs::metadata(file) {
            if meta.permissions().mode() & 0o077 != 0 {
                let _ = fs::set_permissions(file, Permissions::from_mode(0o600));
            }
        }
    }
}

#[cfg(not(unix))]
pub(crate) fn restrict(_path: &Path) {}

#[cfg(all(test, unix))]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use crate::store::Store;

    fn mode(path: &std::path::Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_state_file_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = Store::open(&path).unwrap();
        drop(store);
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn an_existing_world_readable_state_file_is_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        drop(Store::open(&path).unwrap());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        drop(Store::open(&path).unwrap());
        assert_eq!(mode(&path), 0o600);
    }
}
