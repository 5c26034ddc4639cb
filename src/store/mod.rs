//! Durable state in one SQLite file: migrations, the job queue, ledgers and exceptions.
