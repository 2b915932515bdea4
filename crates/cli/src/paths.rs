//! Where Waymark keeps its data: `--db PATH` if given, else `$WAYMARK_DB`, else `waymark.db` in the
//! data directory (`$WAYMARK_DATA_DIR`, else `$XDG_DATA_HOME/waymark`, else `~/.local/share/waymark`).

use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct DbArg {
    /// The database file [default: waymark.db in the data directory]
    #[arg(long, value_name = "PATH", env = "WAYMARK_DB")]
    pub db: Option<PathBuf>,
}

impl DbArg {
    pub fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(|| data_dir().join("waymark.db"))
    }
}

pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WAYMARK_DATA_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(xdg).join("waymark");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/waymark"),
        None => PathBuf::from("waymark-data"),
    }
}
