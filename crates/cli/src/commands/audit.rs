//! `waymark audit`: who viewed or changed which child's record, when. Ids and actions only: the audit
//! log holds no names or other personal data.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use waymark_storage::{AuditFilter, Store};

#[derive(clap::Args)]
pub struct Args {
    /// Only entries about this child.
    #[arg(long)]
    child: Option<String>,
    /// Only entries about this case.
    #[arg(long)]
    case: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = AuditFilter::DEFAULT_LIMIT)]
    limit: u32,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let filter = AuditFilter {
        child: args.child.as_deref().map(|c| c.parse().map_err(|e| Failure::input(format!("--child: {e}")))).transpose()?,
        case: args.case.as_deref().map(|c| c.parse().map_err(|e| Failure::input(format!("--case: {e}")))).transpose()?,
        limit: args.limit.min(AuditFilter::MAX_LIMIT),
    };
    block_on(async move {
        let store = open_store(&args.store).await?;
        let entries = store.audit_log(&args.store.actor(), &filter).await.map_err(store_failure)?;
        println!("{}", serde_json::to_string_pretty(&entries).expect("serialisable"));
        Ok(())
    })
}
