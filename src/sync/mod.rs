//! The sync engine: jobs and their state machines. Reaches WooCommerce only through the [`Shop`]
//! port and Mirakl only through the client; all state lives in the store, so a tick can stop
//! anywhere and the next one (in any process) carries on.
//!
//! Entry points for the plugin: [`HttpEngine::connect`] (or [`Engine::new`] with any transport),
//! [`Engine::tick`] (WP-Cron or a system runner; returns a [`TickReport`], `to_json()` for PHP),
//! the functions in [`events`] (WooCommerce hooks; also as `Engine` methods), [`SyncSettings`]
//! (`from_json`), and the [`Shop`] trait the PHP `WooShop` implements, with
//! [`memory::MemoryShop`] as its reference. [`expected`] is the order's worth the engine records
//! for finance matching as it creates, cancels and refunds shop orders.

pub mod countries;
pub mod engine;
pub mod error;
pub mod events;
pub mod expected;
pub(crate) mod jobs;
pub mod memory;
pub mod report;
pub mod settings;
pub mod shop;
pub mod status;

pub use engine::{
    engine_client, Engine, HttpEngine, ProcessDeath, StoreBudget, PURGE_CURSOR, RUNNER_LEASE,
};
pub use error::SyncError;
pub use events::StockChange;
pub use jobs::{reference, JobKind};
pub use report::{Purged, RaisedProblem, TickReport};
pub use settings::{SettingsError, ShortagePolicy, SyncSettings};
pub use shop::{Shop, ShopError};
