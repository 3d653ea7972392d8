//! The store: where facilities, addresses and districts persist.
//!
//! [`Store`] is the one interface; `sqlite.rs` is the embedded default. Reads for requests
//! never come here: the server loads everything once into its in-memory snapshot and
//! reloads when [`Store::data_version`] moves. The store is for imports, edits, and those loads.

pub mod accounts;
pub mod editing;
mod migrations;
pub mod participation;
pub mod postgis;
pub mod proposal_rows;
mod rows;
mod sqlite;

pub use postgis::PostgisStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use serde::Serialize;

use crate::domain::{Address, District, Facility, NewAddress, NewDistrict, NewFacility};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Said once: the database's own message (no `source`, so a chain of causes does not
    /// repeat it), with a full disk named as such.
    #[error("database error: {}", describe(.0))]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored row {table}/{id} is corrupt: {reason}")]
    Corrupt {
        table: &'static str,
        id: i64,
        reason: String,
    },
    #[error("cannot open the store at {path}: {reason}")]
    Open { path: String, reason: String },
    /// A request the store refuses as it stands, said whole (`no organisation 5`, `the
    /// import names facilities source id "x" twice`).
    #[error("{0}")]
    Invalid(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Database(e)
    }
}

/// A database error as an operator reads it: a full disk (SQLite's `SQLITE_FULL`, code 13;
/// PostgreSQL's `disk_full`, SQLSTATE 53100) says so first.
fn describe(e: &sqlx::Error) -> String {
    let full = e
        .as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "13" || code == "53100");
    if full {
        format!("the disk is full ({e})")
    } else {
        e.to_string()
    }
}

impl ImportBatch {
    /// Rejects a batch that names one source id twice in a table: which row would win is
    /// not something a store should decide.
    pub fn check(&self) -> Result<(), StoreError> {
        fn unique<'a>(table: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), StoreError> {
            let mut seen = std::collections::HashSet::new();
            for id in ids {
                if !seen.insert(id) {
                    return Err(StoreError::Invalid(format!(
                        "the import names {table} source id {id:?} twice"
                    )));
                }
            }
            Ok(())
        }
        unique(
            "facilities",
            self.facilities
                .iter()
                .flatten()
                .map(|r| r.source_id.as_str()),
        )?;
        unique(
            "addresses",
            self.addresses
                .iter()
                .flatten()
                .map(|r| r.source_id.as_str()),
        )?;
        unique(
            "districts",
            self.districts
                .iter()
                .flatten()
                .map(|r| r.source_id.as_str()),
        )?;
        unique(
            "nature areas",
            self.nature.iter().flatten().map(|r| r.source_id.as_str()),
        )
    }
}

/// Everything the snapshot needs, read in one consistent transaction.
#[derive(Debug, Default)]
pub struct StoreContents {
    pub data_version: i64,
    /// The data version of the last import (edits of the programme leave it alone).
    pub base_version: i64,
    pub organisations: Vec<crate::domain::activity::Organisation>,
    pub activities: Vec<crate::domain::activity::Activity>,
    /// The last change of each activity and organisation, and the activities deleted, from
    /// the audit log (what orders the open feed).
    pub feed_changes: crate::domain::activity::FeedChanges,
    pub volunteer_needs: Vec<crate::domain::activity::VolunteerNeed>,
    /// Residents' proposals that are published (issue 15).
    pub proposals: Vec<proposal_rows::PublishedProposal>,
    pub facilities: Vec<Facility>,
    pub addresses: Vec<Address>,
    pub districts: Vec<District>,
    /// The walking graph's bytes (`routing::WalkGraph::to_bytes`), when one was imported.
    pub walk_graph: Option<Vec<u8>>,
    pub population: Vec<crate::domain::AreaPopulation>,
    /// Green areas, forest and shores (issue 22).
    pub nature: Vec<crate::domain::nature::NatureArea>,
}

/// A walking graph to store with an import.
#[derive(Debug, Clone)]
pub struct GraphBlob {
    pub nodes: u64,
    pub edges: u64,
    pub data: Vec<u8>,
}

/// One import's rows for one source. Each table that is `Some` is synchronised with it:
/// rows of that source are inserted or updated by `source_id`, and rows of that source
/// missing from the batch are removed. A table that is `None` is left alone.
#[derive(Debug, Default)]
pub struct ImportBatch {
    /// Which importer produced this (`osm`, `addresses`, `facilities`, `districts`).
    pub importer: String,
    pub source: String,
    /// The file it was read from, for the import log.
    pub file: String,
    pub facilities: Option<Vec<NewFacility>>,
    pub addresses: Option<Vec<NewAddress>>,
    pub districts: Option<Vec<NewDistrict>>,
    /// Replaces the walking graph when `Some`.
    pub walk_graph: Option<GraphBlob>,
    /// Replaces the population figures of this source.
    pub population: Option<Vec<crate::domain::AreaPopulation>>,
    /// Green areas, forest and shores (issue 22).
    pub nature: Option<Vec<crate::domain::nature::NewNatureArea>>,
}

/// What an import did to one table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableChange {
    pub inserted: u64,
    pub updated: u64,
    pub removed: u64,
}

impl TableChange {
    /// From the rows a source had before, the rows the import removed (the ones it did not
    /// touch) and the rows it wrote (unique by source id, which [`ImportBatch::check`]
    /// guarantees): the rows present before and still there were updated, the rest are new.
    pub fn from_counts(before: u64, removed: u64, written: u64) -> TableChange {
        let updated = before.saturating_sub(removed);
        TableChange {
            inserted: written.saturating_sub(updated),
            updated,
            removed,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub facilities: Option<TableChange>,
    pub addresses: Option<TableChange>,
    pub districts: Option<TableChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nature: Option<TableChange>,
    /// Nodes and directed edges of the walking graph stored, when one was.
    pub walk_graph: Option<(u64, u64)>,
    /// Areas with a population figure from this source: (before, now).
    pub population: Option<(u64, u64)>,
    /// Activities and volunteer needs placed at a facility the import removed, kept at
    /// its last position (as points).
    pub relocated: u64,
    pub data_version: i64,
}

/// A source's last import: which importer, from which file, when (UTC, RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastImport {
    pub source: String,
    pub importer: String,
    pub file: String,
    pub finished_at: String,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub facilities: u64,
    pub addresses: u64,
    pub districts: u64,
}

#[async_trait]
pub trait Store:
    editing::Editing + accounts::Accounts + participation::Participation + Send + Sync + 'static
{
    /// Applies pending migrations. Safe to call on every start.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// A number that grows with every committed write.
    async fn data_version(&self) -> Result<i64, StoreError>;

    /// Succeeds when the store answers now (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Signalled when another process committed a write, where the backend can tell
    /// (PostgreSQL's LISTEN/NOTIFY). Servers also poll [`Store::data_version`].
    fn changes(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }

    /// Keeps the basemap archive (PMTiles bytes) with the store, so that every instance on
    /// it serves the same one (PostgreSQL: a row). The embedded store's archive is a file
    /// beside it in the data folder already, so there this does nothing.
    async fn put_basemap(&self, _archive: &[u8]) -> Result<(), StoreError> {
        Ok(())
    }

    /// Whether [`Store::put_basemap`] keeps the archive (PostgreSQL).
    fn keeps_basemap(&self) -> bool {
        false
    }

    /// The SHA-256 (hex) of the basemap archive the store keeps, if it keeps one.
    async fn basemap_digest(&self) -> Result<Option<String>, StoreError> {
        Ok(None)
    }

    /// The basemap archive the store keeps, with its SHA-256 (hex).
    async fn basemap_archive(&self) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(None)
    }

    /// All rows, from one consistent read.
    async fn load(&self) -> Result<StoreContents, StoreError>;

    async fn counts(&self) -> Result<Counts, StoreError>;

    /// The last import of each source, by source name (issue 20: what the store holds).
    async fn last_imports(&self) -> Result<Vec<LastImport>, StoreError>;

    /// Applies one import in a single transaction: all of it, or nothing.
    async fn apply_import(&self, batch: ImportBatch) -> Result<ImportOutcome, StoreError>;
}
