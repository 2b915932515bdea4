//! What the Local Offer's pages and ORUK API share: the published directory held in memory (reloaded
//! only when the store's generation number moves, so a search is a scan of the records in memory plus
//! one full-text query answered by the index alone), and the counter of searches and views, written in batches by a
//! background task so counting never slows a family's page.

use chrono::NaiveDate;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{mpsc, RwLock};
use waymark_directory::{Listing, Organisation, ServiceId};
use waymark_storage::{Clock, DirectoryEvent, DirectoryStore, Published, SqliteStore, StoreError};

/// The directory as published, with an index by service id and by full-text row.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub published: Published,
    pub by_id: std::collections::HashMap<ServiceId, usize>,
    pub by_row: std::collections::HashMap<i64, ServiceId>,
    /// Each listing's place by name ([`waymark_directory::name_ranks`]), so a search sorts numbers.
    pub ranks: Vec<u32>,
}

impl Snapshot {
    /// The services the full-text index matches for `words` (every word, stemmed, as a prefix): the
    /// index answers with its rows, named here from memory (a listing published since this copy was
    /// read is left out until the copy is reloaded).
    pub async fn text_hits(&self, store: &SqliteStore, words: &str) -> Result<HashSet<ServiceId>, StoreError> {
        Ok(store.search_rows(words).await?.iter().filter_map(|r| self.by_row.get(r).copied()).collect())
    }

    pub fn listing(&self, id: ServiceId) -> Option<&Listing> {
        self.by_id.get(&id).map(|i| &self.published.listings[*i])
    }

    pub fn organisation(&self, listing: &Listing) -> Option<&Organisation> {
        self.published.organisations.get(&listing.service.organisation)
    }

    /// When a listing was last changed.
    pub fn last_modified(&self, id: ServiceId) -> chrono::DateTime<chrono::Utc> {
        self.by_id.get(&id).map(|i| self.published.versions[*i].1).unwrap_or_default()
    }
}

/// The cached directory and the event counter.
pub struct LocalOffer {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Unset until the first load (generation numbers start at 0).
    loaded: std::sync::atomic::AtomicBool,
    events: mpsc::UnboundedSender<(NaiveDate, DirectoryEvent)>,
}

impl LocalOffer {
    /// Start the counter's writer; call inside the tokio runtime.
    pub fn start(store: &SqliteStore) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<(NaiveDate, DirectoryEvent)>();
        let store = store.clone();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 500 {
                    match rx.try_recv() {
                        Ok(e) => batch.push(e),
                        Err(_) => break,
                    }
                }
                // One transaction per day in the batch (nearly always one).
                let mut days: Vec<NaiveDate> = batch.iter().map(|(d, _)| *d).collect();
                days.dedup();
                for day in days {
                    let events: Vec<DirectoryEvent> = batch.iter().filter(|(d, _)| *d == day).map(|(_, e)| e.clone()).collect();
                    if let Err(e) = store.record_events(day, &events).await {
                        tracing::error!(error = %e, count = events.len(), "Local Offer searches and views could not be counted");
                    }
                }
            }
        });
        Self { snapshot: RwLock::new(Arc::new(Snapshot::default())), loaded: false.into(), events: tx }
    }

    /// The published directory, reloaded if it has changed since it was last read.
    pub async fn snapshot(&self, store: &SqliteStore) -> Result<Arc<Snapshot>, StoreError> {
        let generation = store.directory_generation().await?;
        {
            let current = self.snapshot.read().await;
            if self.loaded.load(std::sync::atomic::Ordering::Acquire) && current.published.generation == generation {
                return Ok(current.clone());
            }
        }
        let mut slot = self.snapshot.write().await;
        if self.loaded.load(std::sync::atomic::Ordering::Acquire) && slot.published.generation >= generation {
            return Ok(slot.clone());
        }
        let published = store.published().await?;
        let by_id = published.listings.iter().enumerate().map(|(i, l)| (l.service.id, i)).collect();
        let by_row = published.rowids.iter().zip(&published.listings).map(|(r, l)| (*r, l.service.id)).collect();
        let ranks = waymark_directory::name_ranks(&published.listings);
        *slot = Arc::new(Snapshot { published, by_id, by_row, ranks });
        self.loaded.store(true, std::sync::atomic::Ordering::Release);
        Ok(slot.clone())
    }

    /// Count a search or a view (no personal data).
    pub fn count(&self, clock: &dyn Clock, event: DirectoryEvent) {
        let _ = self.events.send((clock.today(), event));
    }
}
