//! Wiring: settings → store → snapshot → router. The one place that picks a store backend.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::basemap::Basemap;
use crate::config::{Backend, Settings};
use crate::http::{AppState, Assets, PublicBase, router};
use crate::index::{Snapshot, SnapshotCell};
use crate::reload::Reloader;
use crate::store::{PostgisStore, SqliteStore, Store};

/// Opens and migrates the store the settings name, saying plainly which one failed and how.
/// `application` names this process to PostgreSQL (`pg_stat_activity.application_name`).
pub async fn open_store(settings: &Settings, application: &str) -> anyhow::Result<Arc<dyn Store>> {
    let backend = settings.backend();
    let store: Arc<dyn Store> = match &backend {
        Backend::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        Backend::Postgis(url) => {
            let store = PostgisStore::connect(url, settings.db_pool_size, application)
                .await
                .with_context(|| format!("cannot connect to PostgreSQL at {backend}"))?;
            tracing::info!(
                pool = store.pool_size(),
                "connected to PostgreSQL at {backend}"
            );
            Arc::new(store)
        }
    };
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate the store at {backend}"))?;
    Ok(store)
}

/// As [`open_store`], for commands that read what was imported (`serve`, `status`,
/// `coverage`, …): a SQLite file that does not exist is not made (a mistyped `--data` would
/// serve an empty map); the error names the store folders found nearby (issue 20).
pub async fn open_existing_store(
    settings: &Settings,
    application: &str,
) -> anyhow::Result<Arc<dyn Store>> {
    if let Backend::Sqlite(path) = settings.backend()
        && !path.exists()
    {
        let nearby = stores_near(&settings.data_dir);
        anyhow::bail!(
            "no store at {} (is --data right?). {}Make one with `naermiljo import …`, \
             `naermiljo setup --kommune KNR` or `naermiljo serve --demo`",
            path.display(),
            if nearby.is_empty() {
                String::new()
            } else {
                format!("Folders nearby with a store: {}. ", nearby.join(", "))
            }
        );
    }
    open_store(settings, application).await
}

/// Folders beside `data` (and in the working directory) that hold a `naermiljo.sqlite`.
fn stores_near(data: &std::path::Path) -> Vec<String> {
    let mut places = vec![std::path::PathBuf::from(".")];
    if let Some(parent) = data.parent().filter(|p| !p.as_os_str().is_empty()) {
        places.insert(0, parent.to_path_buf());
    }
    let mut found = Vec::new();
    for place in places {
        let Ok(entries) = std::fs::read_dir(&place) else {
            continue;
        };
        for e in entries.flatten() {
            let dir = e.path();
            if dir.join("naermiljo.sqlite").is_file() {
                let shown = dir.display().to_string();
                if !found.contains(&shown) {
                    found.push(shown);
                }
            }
        }
    }
    found.sort();
    found.truncate(5);
    found
}

/// Builds the state a router serves: the store and a snapshot loaded from it.
pub async fn build_state(settings: &Settings, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
    let snapshot = Snapshot::build(store.load().await.context("loading the store")?);
    let snapshot = Arc::new(SnapshotCell::new(snapshot));
    let state = AppState {
        reload: Reloader::new(store.clone(), snapshot.clone()),
        public_url: Arc::new(arc_swap::ArcSwap::from_pointee(settings.public_url())),
        public_base: match &settings.public_url {
            Some(url) => Some(Arc::new(
                PublicBase::parse(url).map_err(|e| anyhow::anyhow!("--public-url {e}"))?,
            )),
            None => None,
        },
        snapshot,
        store,
        limits: Arc::new(settings.limits.clone()),
        basemap: Arc::new(arc_swap::ArcSwapOption::empty()),
        assets: Arc::new(Assets {
            web_dir: settings.web_dir.clone(),
            styles_dir: settings.styles_dir.clone(),
            basemap: settings.basemap.clone(),
        }),
    };
    reopen_basemap(&state).await;
    Ok(state)
}

/// Opens the basemap archive when it appeared or was rebuilt since it was last opened.
/// A missing archive is not an error: the map then draws without a basemap.
pub async fn reopen_basemap(state: &AppState) {
    if let Err(e) = fetch_stored_basemap(state).await {
        tracing::warn!(error = %format!("{e:#}"), "cannot fetch the basemap from the store");
    }
    let path = &state.assets.basemap;
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let current = state.basemap.load();
    if modified.is_none() || current.as_ref().is_some_and(|b| b.modified == modified) {
        if modified.is_none() && current.is_some() {
            state.basemap.store(None);
        }
        return;
    }
    match Basemap::open(path).await {
        Ok(b) => {
            tracing::info!(path = %path.display(), "basemap opened");
            state.basemap.store(Some(Arc::new(b)));
        }
        Err(e) => tracing::warn!(error = %format!("{e:#}"), "cannot open the basemap"),
    }
}

/// Where the store keeps the basemap (PostgreSQL), copies it to this instance's archive
/// file when it changed: the file is replaced atomically, and `FILE.sha256` beside it says
/// which archive it holds, so a copy is made once per change.
async fn fetch_stored_basemap(state: &AppState) -> anyhow::Result<()> {
    let Some(digest) = state.store.basemap_digest().await? else {
        return Ok(());
    };
    let path = &state.assets.basemap;
    let marker = path.with_extension("pmtiles.sha256");
    let held = tokio::fs::read_to_string(&marker).await.unwrap_or_default();
    if held.trim() == digest && tokio::fs::try_exists(path).await.unwrap_or(false) {
        return Ok(());
    }
    let Some((digest, archive)) = state.store.basemap_archive().await? else {
        return Ok(());
    };
    if let Some(folder) = path.parent() {
        tokio::fs::create_dir_all(folder).await?;
    }
    let partial = path.with_extension("pmtiles.part");
    tokio::fs::write(&partial, &archive).await?;
    tokio::fs::rename(&partial, path).await?;
    tokio::fs::write(&marker, &digest).await?;
    tracing::info!(path = %path.display(), bytes = archive.len(), "basemap copied from the store");
    Ok(())
}

/// Rebuilds the snapshot when the store's data version moved. Returns whether it did.
/// (The state's [`Reloader`](crate::reload::Reloader) does the work.)
pub async fn refresh(state: &AppState) -> anyhow::Result<bool> {
    Ok(state.reload.reload().await?)
}

/// Serves until Ctrl-C or SIGTERM. Prints `listening on http://ADDR` once the socket is
/// bound, so that scripts and tests can wait for that line rather than sleep.
pub async fn serve(settings: &Settings, state: AppState) -> anyhow::Result<()> {
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;

    // Links in email name the address people open; without --public-url, the one bound.
    if settings.public_url.is_none() {
        state.public_url.store(Arc::new(format!("http://{addr}")));
    }
    let public_url = state.public_url();
    let refresher = {
        let state = state.clone();
        let every = settings.refresh_interval;
        let changes = state.store.changes();
        tokio::spawn(async move {
            let mut last_purge: Option<Instant> = None;
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                // A notification from another instance's write, or the next poll.
                match &changes {
                    Some(n) => tokio::select! { _ = tick.tick() => {}, _ = n.notified() => {} },
                    None => {
                        tick.tick().await;
                    }
                }
                reopen_basemap(&state).await;
                // Offers of help are personal data: gone once their need has expired.
                if last_purge.is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(3600)) {
                    let today = crate::domain::activity::today(jiff::Timestamp::now());
                    match state.store.purge_expired_offers(&today.to_string()).await {
                        Ok(n) => {
                            last_purge = Some(Instant::now());
                            if n > 0 {
                                tracing::info!(
                                    deleted = n,
                                    "offers of help for expired needs deleted"
                                );
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot delete expired offers yet"),
                    }
                    // Needs about to expire: one reminder to their organisation.
                    let today = crate::domain::activity::today(jiff::Timestamp::now());
                    let snapshot = state.snapshot.load();
                    if let Err(e) = crate::mail::remind_expiring_needs(
                        state.store.as_ref(),
                        &snapshot,
                        today,
                        &public_url,
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "cannot queue reminders of expiring needs yet");
                    }
                    // Sessions, links, failed sign-ins and sent email past their time.
                    let now = crate::store::editing::now_ms();
                    if let Err(e) = state
                        .store
                        .purge_accounts(
                            now,
                            crate::accounts::SESSION_IDLE_MS,
                            crate::accounts::SESSION_ABSOLUTE_MS,
                        )
                        .await
                    {
                        tracing::warn!(error = %e, "cannot delete expired account data yet");
                    }
                    // Proposers' emails, unconfirmed proposals and supports, old codes.
                    if let Err(e) = state.store.purge_participation(now).await {
                        tracing::warn!(error = %e, "cannot delete expired participation data yet");
                    }
                }
                if let Err(e) = refresh(&state).await {
                    // Reads go on from the snapshot we have; the next tick tries again.
                    tracing::warn!(error = %format!("{e:#}"), "cannot refresh the snapshot");
                }
            }
        })
    };

    // Email: sent from the outbox when a relay is configured; queued there otherwise.
    let mailer = match &settings.smtp_url {
        Some(url) => {
            let smtp = crate::mail::SmtpSettings {
                url: url.clone(),
                from: settings.mail_from.clone(),
            };
            let worker = crate::mail::OutboxWorker::new(state.store.clone(), &smtp)
                .map_err(anyhow::Error::msg)?;
            Some(tokio::spawn(worker.run(settings.mail_interval)))
        }
        None => {
            tracing::info!("no --smtp-url: email stays in the outbox (naermiljo outbox)");
            None
        }
    };

    println!("listening on http://{addr}");
    // Routing happens after `Router::layer`s, so a prefix left in the path is stripped outside.
    let prefix = state
        .public_base
        .as_ref()
        .map(|b| b.prefix.clone())
        .unwrap_or_default();
    let app = tower::Layer::layer(
        &tower::util::MapRequestLayer::new(move |r| crate::http::base::strip_prefix(&prefix, r)),
        router(state),
    );
    let result = axum::serve(
        listener,
        axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
            std::net::SocketAddr,
        >(app),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    refresher.abort();
    if let Some(m) = mailer {
        m.abort();
    }
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
