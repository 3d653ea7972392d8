//! The demo: the demo region imported when the store is empty (`serve --demo`), and the
//! example programme (`demo-programme`), written through the one write path.

use std::path::Path;

use anyhow::Context;
use indicatif::ProgressBar;

use super::ImportCommand;
use super::import::{import, progress_bar, write_basemap};
use crate::app;
use crate::config::Settings;
use crate::import as importers;
use crate::store::Store;

/// The demo region: central Oslo, read from the shared data folder.
pub const DEMO_PBF: &str = "oslo_fallback/oslo-center.osm.pbf";
/// Where the demo region's file is published (entur/geocoder's test resource, ODbL; see
/// the shared data's PROVENANCE.md), for a machine without the shared data folder.
pub const DEMO_URL: &str = "https://raw.githubusercontent.com/entur/geocoder/eae4f557c5c0229c89ae8035879b6603ca5f9447/converter/src/test/resources/oslo-center.osm.pbf";
/// The SHA-256 of that file (3,094,837 bytes): anything else is refused.
pub const DEMO_SHA256: &str = "dbba9adb5c11e85f961fea5ef3a7d96e0245d300484cb2c62c6bc7a0ac629cbe";

/// `naermiljo demo-programme`.
pub async fn demo_programme(settings: &Settings, seed: u64) -> anyhow::Result<()> {
    let store = app::open_store(settings, "naermiljo-demo").await?;
    println!("{}", write_demo_programme(store.as_ref(), seed).await?);
    Ok(())
}

/// The demo region's file: in the shared data folder, or downloaded before into
/// `DATA/demo/`, or downloaded now from `url` (with progress, checked by SHA-256). Offline,
/// an error that says exactly what to download and where to put it.
async fn demo_file(shared: &Path, data: &Path, url: &str) -> anyhow::Result<std::path::PathBuf> {
    let in_shared = shared.join(DEMO_PBF);
    if in_shared.exists() {
        return Ok(in_shared);
    }
    let dir = data.join("demo");
    let path = dir.join("oslo-center.osm.pbf");
    if path.exists() {
        return Ok(path);
    }
    let instead = || {
        format!(
            "Download {DEMO_URL}\n(3.1 MB, SHA-256 {DEMO_SHA256}) and put it at\n  {}\n\
             or set NAERMILJO_SHARED_DATA to a folder that holds {DEMO_PBF}; then start again.",
            path.display()
        )
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot make {}", dir.display()))?;
    eprintln!(
        "The demo region (central Oslo, © OpenStreetMap contributors) is not here: downloading {url}"
    );
    use std::io::IsTerminal;
    let http = crate::fetch::Http::new(
        crate::fetch::RetryPolicy {
            attempts: 3,
            total: std::time::Duration::from_secs(120),
            ..Default::default()
        },
        std::io::stderr().is_terminal(),
    )
    .map_err(anyhow::Error::msg)?;
    let download = dir.join("oslo-center.osm.pbf.download");
    let got = match http
        .download(crate::fetch::Source::Osm, url, &download, None)
        .await
    {
        Ok(got) => got,
        Err(e) => anyhow::bail!("cannot download the demo region ({e}).\n{}", instead()),
    };
    if got.sha256 != DEMO_SHA256 {
        let _ = std::fs::remove_file(&download);
        anyhow::bail!(
            "{url} is not the demo region's file (SHA-256 {}, expected {DEMO_SHA256}).\n{}",
            got.sha256,
            instead()
        );
    }
    std::fs::rename(&download, &path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

pub(super) async fn import_demo_if_empty(
    store: &dyn Store,
    shared: &Path,
    data: &Path,
    url: &str,
    basemap: &Path,
) -> anyhow::Result<()> {
    let counts = store.counts().await?;
    let pbf = if counts.facilities > 0 || counts.addresses > 0 {
        // Imported already; the file only for a missing basemap, wherever it is.
        Some(shared.join(DEMO_PBF))
            .filter(|p| p.exists())
            .unwrap_or_else(|| data.join("demo").join("oslo-center.osm.pbf"))
    } else {
        demo_file(shared, data, url).await?
    };
    if counts.facilities > 0 || counts.addresses > 0 {
        if !basemap.exists() && pbf.exists() {
            eprintln!("Building the demo basemap from {}", pbf.display());
            let data = importers::osm::read(&pbf, &ProgressBar::hidden())?;
            eprintln!("{}", write_basemap(&data.basemap, basemap)?);
            super::import::publish_basemap(store, basemap).await?;
        }
        return Ok(());
    }
    eprintln!(
        "Importing the demo region (central Oslo, © OpenStreetMap contributors) from {}",
        pbf.display()
    );
    let report = import(store, ImportCommand::osm(pbf), &progress_bar()).await?;
    eprintln!("{report}");
    eprintln!("{}", write_basemap(&report.basemap, basemap)?);
    super::import::publish_basemap(store, basemap).await?;
    eprintln!("{}", write_demo_programme(store, 2026).await?);
    Ok(())
}

/// Writes the example organisations, activities and needs of [`crate::demo`] unless the
/// store already has organisations. Returns what it did, in words.
pub async fn write_demo_programme(store: &dyn Store, seed: u64) -> anyhow::Result<String> {
    use crate::edit::{Change, write_item};
    use crate::store::editing::{Actor, ItemCollection, Role};
    let contents = store.load().await?;
    if !contents.organisations.is_empty() {
        return Ok("organisations exist already: no examples written".into());
    }
    let snapshot = crate::index::Snapshot::build(contents);
    let today = crate::domain::activity::today(jiff::Timestamp::now());
    let demo = crate::demo::generate(&snapshot, seed, today);
    let mut org_ids = Vec::new();
    for (name, kind, contact) in crate::demo::ORGANISATIONS {
        org_ids.push(
            store
                .create_organisation(name, kind, Some(contact), true, None)
                .await?,
        );
    }
    // The items go through the same write path as the API's (validation, owner, audit),
    // checked against the imported data and the organisations just made.
    let snapshot =
        crate::index::Snapshot::with_base(snapshot.base.clone(), store.load_programme().await?);
    let system = |org_id| Actor {
        token_id: None,
        person_id: None,
        org_id,
        role: Role::Admin,
    };
    let example = |doc: serde_json::Value, org_id: i64| -> anyhow::Result<Change> {
        let mut body = doc;
        body["org_id"] = org_id.into();
        Ok(Change::Create {
            body: serde_json::to_vec(&body)?.into(),
            example: true,
        })
    };
    for (org, doc) in &demo.activities {
        let org_id = org_ids[*org];
        let change = example(serde_json::to_value(doc)?, org_id)?;
        write_item(
            store,
            &snapshot,
            &system(org_id),
            ItemCollection::Activities,
            change,
        )
        .await
        .with_context(|| format!("example activity {:?}", doc.title))?;
    }
    for (org, doc) in &demo.needs {
        let org_id = org_ids[*org];
        let change = example(serde_json::to_value(doc)?, org_id)?;
        write_item(
            store,
            &snapshot,
            &system(org_id),
            ItemCollection::VolunteerNeeds,
            change,
        )
        .await
        .with_context(|| format!("example volunteer need {:?}", doc.title))?;
    }
    Ok(format!(
        "examples: {} organisations, {} activities, {} volunteer needs (seed {seed}; all marked as examples)",
        org_ids.len(),
        demo.activities.len(),
        demo.needs.len()
    ))
}
