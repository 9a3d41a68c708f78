//! One module per use case; the HTTP handlers (and later SMTP) call these.

pub mod counters;
pub mod ingest;
pub mod retention;
