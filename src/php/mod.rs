//! PHP bindings (`--features php` only): the `MiraklConnector\Native` functions and exception
//! classes. No logic lives here: each export converts its arguments, calls the core inside the
//! panic guard and maps the result or the error. Module start-up registers symbols and does no
//! I/O; state (the store, the client) is opened lazily on first use.

mod convert;
mod engine;
mod exceptions;
mod shop;
mod vocab;

use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::error::{guard, ExportError};
use exceptions::{
    to_php_exception, InternalException, MiraklException, NativeException, SettingsException,
    ShopException, StoreException,
};

/// The crate version; the plugin refuses to run with an extension of another version.
#[php_function]
#[php(name = "MiraklConnector\\Native\\version")]
pub fn version() -> &'static str {
    crate::VERSION
}

/// `validate_settings(array $settings, bool $development = false)`: validates connection
/// settings and returns them normalised, or throws `MiraklConnector\Native\SettingsException`
/// naming the bad field. `$development` (the plugin's `MIRAKL_CONNECTOR_DEVELOPMENT`) allows
/// loopback and private-network API hosts.
#[php_function]
#[php(name = "MiraklConnector\\Native\\validate_settings")]
pub fn validate_settings(settings: &ZendHashTable, development: Option<bool>) -> PhpResult<Zval> {
    export(|| {
        let raw = convert::map_to_json(settings)?;
        let mode = crate::settings::HostMode::from_development(development.unwrap_or(false));
        convert::to_zval(&crate::settings::validate_in(&raw, mode)?)
    })
}

/// Validates sync settings (stock buffer, acceptance window, carrier map, ...) and returns them
/// with every key present, or throws `SettingsException` naming the bad field.
#[php_function]
#[php(name = "MiraklConnector\\Native\\validate_sync_settings")]
pub fn validate_sync_settings(settings: &ZendHashTable) -> PhpResult<Zval> {
    export(|| {
        let raw = convert::map_to_json(settings)?.to_string();
        convert::to_zval(&crate::sync::SyncSettings::from_json(&raw)?)
    })
}

/// Validates finance settings (commission posting, rounding tolerance, import schedule) and
/// returns them with every key present, or throws `SettingsException` naming the bad field.
#[php_function]
#[php(name = "MiraklConnector\\Native\\validate_finance_settings")]
pub fn validate_finance_settings(settings: &ZendHashTable) -> PhpResult<Zval> {
    export(|| {
        let raw = convert::map_to_json(settings)?;
        convert::to_zval(&crate::finance::validate_settings(&raw)?)
    })
}

/// Runs an export body under the panic guard and turns its error into the matching exception.
fn export<T>(body: impl FnOnce() -> Result<T, ExportError>) -> PhpResult<T> {
    guard(body).map_err(to_php_exception)
}

extern "C" fn module_info(_module: *mut ModuleEntry) {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    info_table_start!();
    info_table_row!("Mirakl connector core", "enabled");
    info_table_row!("Version", crate::VERSION);
    info_table_row!("Build profile", profile);
    info_table_row!("SQLite version", rusqlite::version());
    info_table_end!();
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    // PHP knows the extension by this name: `extension_loaded('mirakl_connector')`.
    module
        .name("mirakl_connector")
        .class::<NativeException>()
        .class::<SettingsException>()
        .class::<StoreException>()
        .class::<MiraklException>()
        .class::<ShopException>()
        .class::<InternalException>()
        .function(wrap_function!(version))
        .class::<vocab::JobKindNames>()
        .class::<vocab::ProblemKindNames>()
        .class::<vocab::EntityTypeNames>()
        .class::<engine::NativeEngine>()
        .function(wrap_function!(validate_settings))
        .function(wrap_function!(validate_sync_settings))
        .function(wrap_function!(validate_finance_settings))
        .info_function(module_info)
}
