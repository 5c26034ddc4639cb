//! Core of the WooCommerce ⇄ Mirakl connector.
//!
//! Pure Rust: the Mirakl client (`mirakl`: one request builder per API code, budgets, the
//! connection test), the durable store (`store`: migrations, queue, ledgers, problems, finance
//! tables), the sync engine (`sync`: `Engine::tick`, one module per flow, and `sync::status`, the
//! dashboard's reads), finance (`finance`: the marketplace ledger's import, matching and month-end
//! report) the connection settings (`settings`) and the
//! vocabularies every layer shares (`vocab`: job kinds, problem kinds, entity types). Dependencies point one way: `sync` and
//! `finance` use `mirakl` and `store`, never the reverse. The PHP bindings in `php` are compiled
//! only with the `php` feature and are the only code that names ext-php-rs.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod error;
pub mod finance;
#[doc(hidden)]
pub mod fuzzing;
pub mod mirakl;
pub mod settings;
pub mod store;
pub mod sync;
pub mod vocab;

#[cfg(feature = "php")]
pub mod php;

/// The crate version, as the extension reports it to PHP and the plugin checks it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
