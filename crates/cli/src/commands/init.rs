//! `waymark init`: create the database file (and its folder) and bring its schema up to date. Safe to
//! run again: migrations that already ran are skipped.

use crate::commands::store::{open_store, StoreArgs};
use crate::Failure;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let path = args.store.db.path();
    crate::commands::store::block_on(async {
        let store = open_store(&args.store).await?;
        store.integrity_check().await.map_err(|e| Failure::other(e.to_string()))?;
        println!("Waymark database ready at {}", path.display());
        Ok(())
    })
}
