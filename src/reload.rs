//! Keeping a server's snapshot current: [`Reloader`] rebuilds it when the store's data
//! version moved. The app makes one and passes it down: to the refresher task, and to the
//! write path, so that an instance answers a write from the data it has just written.
//! Data flows one way: store → snapshot → handlers; nothing here knows HTTP.

use std::sync::Arc;
use std::time::Instant;

use crate::index::{Snapshot, SnapshotCell};
use crate::store::{Store, StoreError};

/// Why a reload failed; the snapshot in use stays as it was.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("building the snapshot failed: {0}")]
    Build(String),
}

/// The store and the snapshot it feeds. Cheap to clone.
#[derive(Clone)]
pub struct Reloader {
    store: Arc<dyn Store>,
    snapshot: Arc<SnapshotCell>,
}

impl Reloader {
    pub fn new(store: Arc<dyn Store>, snapshot: Arc<SnapshotCell>) -> Reloader {
        Reloader { store, snapshot }
    }

    /// Rebuilds the snapshot when the store's data version moved. Returns whether it did.
    /// After an edit of the programme only (no import since the snapshot's), the imported
    /// data is kept and only organisations, activities and needs are read again.
    pub async fn reload(&self) -> Result<bool, ReloadError> {
        let current = self.snapshot.load();
        if self.store.data_version().await? == current.data_version {
            return Ok(false);
        }
        let started = Instant::now();
        let programme = self.store.load_programme().await?;
        if programme.base_version == current.base.base_version {
            let base = current.base.clone();
            drop(current);
            let version = programme.data_version;
            self.snapshot.replace(Snapshot::with_base(base, programme));
            tracing::info!(
                data_version = version,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "programme reloaded"
            );
            return Ok(true);
        }
        drop(current);
        let contents = self.store.load().await?;
        // The snapshot build is CPU work: keep it off the threads that answer requests.
        let snapshot = tokio::task::spawn_blocking(move || Snapshot::build(contents))
            .await
            .map_err(|e| ReloadError::Build(e.to_string()))?;
        let version = snapshot.data_version;
        self.snapshot.replace(snapshot);
        tracing::info!(
            data_version = version,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "snapshot reloaded"
        );
        Ok(true)
    }
}
