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

/// `naermiljo demo-programme`.
pub async fn demo_programme(settings: &Settings, seed: u64) -> anyhow::Result<()> {
    let store = app::open_store(settings, "naermiljo-demo").await?;
    println!("{}", write_demo_programme(store.as_ref(), seed).await?);
    Ok(())
}

pub(super) async fn import_demo_if_empty(
    store: &dyn Store,
    shared: &Path,
    basemap: &Path,
) -> anyhow::Result<()> {
    let counts = store.counts().await?;
    let pbf = shared.join(DEMO_PBF);
    if counts.facilities > 0 || counts.addresses > 0 {
        if !basemap.exists() && pbf.exists() {
            eprintln!("Building the demo basemap from {}", pbf.display());
            let data = importers::osm::read(&pbf, &ProgressBar::hidden())?;
            eprintln!("{}", write_basemap(&data.basemap, basemap)?);
        }
        return Ok(());
    }
    if !pbf.exists() {
        eprintln!(
            "The demo region is not imported and its file is missing: {}\n\
             Set NAERMILJO_SHARED_DATA to the folder that holds {DEMO_PBF}, or import any OSM extract with\n  \
             naermiljo import osm FILE.osm.pbf\n(Geofabrik publishes one per Norwegian county.) Serving an empty map meanwhile.",
            pbf.display()
        );
        return Ok(());
    }
    eprintln!(
        "Importing the demo region (central Oslo, © OpenStreetMap contributors) from {}",
        pbf.display()
    );
    let report = import(
        store,
        ImportCommand::Osm {
            file: pbf,
            source: "osm".into(),
        },
        &progress_bar(),
    )
    .await?;
    eprintln!("{report}");
    eprintln!("{}", write_basemap(&report.basemap, basemap)?);
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
