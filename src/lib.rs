//! Core of the WooCommerce ⇄ Mirakl connector.
//!
//! Pure Rust: the Mirakl client (`mirakl`), the durable store (`store`), the sync engine (`sync`)
//! and the connection settings (`settings`). The PHP bindings in `php` are compiled only with the
//! `php` feature and are the only code that names ext-php-rs.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod error;
pub mod finance;
pub mod mirakl;
pub mod settings;
pub mod store;
pub mod sync;

#[cfg(feature = "php")]
pub mod php;

/// The crate version, as the extension reports it to PHP and the plugin checks it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
