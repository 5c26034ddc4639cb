//! Error codes shared across the boundary (placeholder, filled below).
