//! Mirakl shop API client: one request builder per API code, a blocking transport, retry policy
//! and per-API call budgets.

pub mod budget;
