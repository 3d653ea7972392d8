//! Wiring: settings → store → snapshot → router. The one place that picks a store backend.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::http::{AppState, router};
use crate::index::{Snapshot, SnapshotCell};
use crate::store::{SqliteStore, Store};

/// Opens and migrates the store the settings name.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let path = settings.sqlite_path().map_err(anyhow::Error::msg)?;
    let store = SqliteStore::open(&path).await?;
    store
        .migrate()
        .await
        .with_context(|| format!("migrating {}", path.display()))?;
    Ok(Arc::new(store))
}

/// Builds the state a router serves: the store and a snapshot loaded from it.
pub async fn build_state(settings: &Settings, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
    let snapshot = Snapshot::build(store.load().await.context("loading the store")?);
    Ok(AppState {
        snapshot: Arc::new(SnapshotCell::new(snapshot)),
        store,
        limits: Arc::new(settings.limits.clone()),
    })
}

/// Rebuilds the snapshot when the store's data version moved. Returns whether it did.
pub async fn refresh(state: &AppState) -> anyhow::Result<bool> {
    let current = state.snapshot.load().data_version;
    if state.store.data_version().await? == current {
        return Ok(false);
    }
    let started = Instant::now();
    let contents = state.store.load().await?;
    // The snapshot build is CPU work: keep it off the threads that answer requests.
    let snapshot = tokio::task::spawn_blocking(move || Snapshot::build(contents)).await?;
    let version = snapshot.data_version;
    state.snapshot.replace(snapshot);
    tracing::info!(
        data_version = version,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "snapshot reloaded"
    );
    Ok(true)
}

/// Serves until Ctrl-C or SIGTERM. Prints `listening on http://ADDR` once the socket is
/// bound, so that scripts and tests can wait for that line rather than sleep.
pub async fn serve(settings: &Settings, state: AppState) -> anyhow::Result<()> {
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;

    let refresher = {
        let state = state.clone();
        let every = settings.refresh_interval;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = refresh(&state).await {
                    // Reads go on from the snapshot we have; the next tick tries again.
                    tracing::warn!(error = %format!("{e:#}"), "cannot refresh the snapshot");
                }
            }
        })
    };

    println!("listening on http://{addr}");
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    refresher.abort();
    result.context("server failed")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
