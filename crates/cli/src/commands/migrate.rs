//! `waymark migrate --from PATH --to URL` (issue 14 item 2, ADR 0037): the whole store (and its read-audit
//! database) copied from SQLite into an empty PostgreSQL database, in one transaction, then every table's
//! rows and checksum compared on both sides before it commits. Copying from PostgreSQL back to SQLite is
//! not yet possible.

use crate::commands::store::{block_on, store_failure};
use crate::Failure;
use std::path::Path;
use waymark_storage::postgres::{is_postgres_url, redact};

#[derive(clap::Args)]
pub struct Args {
    /// The store to copy: a SQLite database file (with FILE-read-audit beside it). Stop `waymark serve` first.
    #[arg(long, value_name = "PATH_OR_URL")]
    from: String,
    /// The PostgreSQL database to copy it into (postgres://user@host:port/name); it must hold no records.
    #[arg(long, value_name = "URL")]
    to: String,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if is_postgres_url(&args.from) {
        return Err(Failure::input(format!(
            "--from {}: copying from PostgreSQL is not yet possible; --from takes a SQLite database file",
            redact(&args.from)
        )));
    }
    if !is_postgres_url(&args.to) {
        return Err(Failure::input(format!(
            "--to {}: give a PostgreSQL address (postgres://user@host:port/database); copying into SQLite is not yet possible",
            args.to
        )));
    }
    block_on(async move {
        let report = waymark_storage::migrate_sqlite_to_postgres(Path::new(&args.from), &args.to).await.map_err(store_failure)?;
        let tables = report.tables.values().filter(|t| t.rows > 0).count();
        println!(
            "Copied {} rows in {tables} tables from {} into {}; every table's row count and checksum match.",
            report.rows(),
            args.from,
            report.target
        );
        Ok(())
    })
}
