//! A progress bar on standard error for large files: reading (by bytes), then checking and writing
//! (by rows). Hidden when standard error is not a terminal (pipes, CI, tests) and for small files.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use waymark_storage::ImportProgress;

/// Files at least this large show a progress bar (about ten thousand rows).
pub const LARGE_FILE_BYTES: u64 = 1_000_000;

/// Progress of one import.
pub struct Progress {
    bar: Option<ProgressBar>,
    rows: AtomicU64,
}

impl Progress {
    /// No bar.
    pub fn hidden() -> Self {
        Self { bar: None, rows: AtomicU64::new(0) }
    }

    /// A bar for a file of `len` bytes, if it is large and standard error is a terminal.
    pub fn for_file(len: u64) -> Self {
        if len < LARGE_FILE_BYTES || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg:>10} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message("reading");
        Self { bar: Some(bar), rows: AtomicU64::new(0) }
    }

    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    /// `bytes` of the file have been read.
    pub(crate) fn read(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
        }
    }

    /// Reading is done; the store now checks and writes `rows` rows.
    pub(crate) fn start_store(&self, rows: u64) {
        self.rows.store(rows, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_length(rows.saturating_mul(2).max(1));
            bar.set_position(0);
            bar.set_message("checking");
        }
    }

    /// The import has finished, one way or another.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ImportProgress for Progress {
    fn checked(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn written(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message("writing");
            bar.set_position(self.rows.load(Ordering::Relaxed) + done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_never_shows_a_progress_bar() {
        assert!(!Progress::for_file(LARGE_FILE_BYTES - 1).is_shown());
        assert!(!Progress::hidden().is_shown());
        // Hidden progress accepts every report without drawing anything.
        let p = Progress::hidden();
        p.read(10);
        p.start_store(5);
        p.checked(3);
        p.written(5);
        p.finish();
    }
}
