//! The sync engine: jobs and their state machines. Reaches WooCommerce only through the `Shop` port.
