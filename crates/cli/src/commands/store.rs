//! What every command that uses the database shares: the `--db` and `--actor` options, opening the
//! store with the real clock (the one place the CLI reads the time), and turning store errors into
//! exit codes: 2 for input the store refused, 3 for a conflicting edit, 1 for anything else.

use crate::paths::DbArg;
use crate::Failure;
use std::future::Future;
use std::sync::Arc;
use waymark_storage::{Actor, Clock, Scope, SqliteStore, StoreError, SystemClock};

#[derive(clap::Args, Debug, Clone)]
pub struct StoreArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Who is acting, as written to the history and audit log: a user id or role, never a name.
    #[arg(long, env = "WAYMARK_ACTOR", default_value = "cli")]
    pub actor: String,
}

impl StoreArgs {
    /// The command line acts for the whole installation.
    pub fn actor(&self) -> Actor {
        Actor::new(self.actor.clone(), Scope::All)
    }
}

/// Exit code for a conflicting edit: someone else changed the record first.
pub const EXIT_CONFLICT: u8 = 3;

pub fn block_on<T>(fut: impl Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start: {e}")))?
        .block_on(fut)
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

pub async fn open_store(args: &StoreArgs) -> Result<SqliteStore, Failure> {
    SqliteStore::open(&args.db.path(), system_clock()).await.map_err(store_failure)
}

pub fn store_failure(e: StoreError) -> Failure {
    let code = match &e {
        StoreError::Conflict { .. } => EXIT_CONFLICT,
        StoreError::NotFound { .. }
        | StoreError::Transition(_)
        | StoreError::Child(_)
        | StoreError::OutOfScope { .. }
        | StoreError::Invalid(_) => 2,
        _ => 1,
    };
    Failure { code, message: e.to_string() }
}
