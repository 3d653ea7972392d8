//! What an import would do to its source's rows, before it does it (issue 20): rows added,
//! changed (with the fields that change) and removed, by name; `--dry-run` prints it and
//! changes nothing, and an import that would remove more than [`MAX_REMOVAL_SHARE`] of its
//! source's rows in a table stops unless `--allow-removal` is given.

use std::collections::HashMap;

use crate::domain::LonLat;
use crate::import::ImportError;
use crate::store::{ImportBatch, StoreContents};

/// An import may remove at most this share of a source's rows in a table without
/// `--allow-removal`.
pub const MAX_REMOVAL_SHARE: f64 = 0.10;

/// How an operator runs an import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportGuard {
    /// Print the plan, change nothing.
    pub dry_run: bool,
    /// Remove any share of the source's rows.
    pub allow_removal: bool,
}

impl ImportGuard {
    /// No questions asked: for tests and for code that knows what it imports.
    pub const TRUSTED: ImportGuard = ImportGuard {
        dry_run: false,
        allow_removal: true,
    };
}

/// One table's part of a plan.
#[derive(Debug, Default)]
pub struct TablePlan {
    pub table: &'static str,
    /// The source's rows in the store now.
    pub before: usize,
    pub added: Vec<String>,
    /// (row, the fields that change).
    pub changed: Vec<(String, Vec<&'static str>)>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

/// What an import would do, per table it touches.
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub source: String,
    pub tables: Vec<TablePlan>,
}

fn same_point(a: LonLat, b: LonLat) -> bool {
    (a.lon - b.lon).abs() < 1e-7 && (a.lat - b.lat).abs() < 1e-7
}

/// Compares `new` rows with `old` ones of the same source by source id.
fn table<Old, New>(
    table: &'static str,
    old: Vec<(&str, &Old)>,
    new: &[New],
    id: impl Fn(&New) -> &str,
    name: impl Fn(&New) -> String,
    old_name: impl Fn(&Old) -> String,
    changes: impl Fn(&Old, &New) -> Vec<&'static str>,
) -> TablePlan {
    let by_id: HashMap<&str, &Old> = old.iter().copied().collect();
    let mut plan = TablePlan {
        table,
        before: old.len(),
        ..Default::default()
    };
    let mut seen = std::collections::HashSet::new();
    for row in new {
        seen.insert(id(row));
        match by_id.get(id(row)) {
            None => plan.added.push(name(row)),
            Some(o) => {
                let fields = changes(o, row);
                if fields.is_empty() {
                    plan.unchanged += 1;
                } else {
                    plan.changed.push((name(row), fields));
                }
            }
        }
    }
    for (source_id, o) in &old {
        if !seen.contains(source_id) {
            plan.removed.push(old_name(o));
        }
    }
    plan
}

/// The plan of `batch` against what the store holds now.
pub fn plan(store: &StoreContents, batch: &ImportBatch) -> ImportPlan {
    let source = batch.source.as_str();
    let mut out = ImportPlan {
        source: source.to_string(),
        tables: Vec::new(),
    };
    if let Some(rows) = &batch.facilities {
        let old = store
            .facilities
            .iter()
            .filter(|f| f.source.source == source)
            .map(|f| (f.source.source_id.as_str(), f))
            .collect();
        let label = |name: &Option<String>, id: &str| match name {
            Some(n) => format!("{n} ({id})"),
            None => id.to_string(),
        };
        out.tables.push(table(
            "facilities",
            old,
            rows,
            |f| f.source_id.as_str(),
            |f| label(&f.name, &f.source_id),
            |f| label(&f.name, &f.source.source_id),
            |o, n| {
                let mut c = Vec::new();
                if o.kind != n.kind {
                    c.push("kind");
                }
                if o.name != n.name {
                    c.push("name");
                }
                if !same_point(o.position, n.position) {
                    c.push("position");
                }
                if o.address != n.address {
                    c.push("address");
                }
                if o.wheelchair != n.wheelchair {
                    c.push("wheelchair");
                }
                if o.opening_hours != n.opening_hours {
                    c.push("opening_hours");
                }
                if o.properties != n.properties {
                    c.push("properties");
                }
                if o.area != n.area {
                    c.push("area");
                }
                c
            },
        ));
    }
    if let Some(rows) = &batch.addresses {
        let old = store
            .addresses
            .iter()
            .filter(|a| a.source.source == source)
            .map(|a| (a.source.source_id.as_str(), a))
            .collect();
        out.tables.push(table(
            "addresses",
            old,
            rows,
            |a| a.source_id.as_str(),
            |a| format!("{} {}", a.street, a.number),
            |a| format!("{} {}", a.street, a.number),
            |o, n| {
                let mut c = Vec::new();
                if o.street != n.street || o.number != n.number {
                    c.push("street/number");
                }
                if o.postcode != n.postcode || o.city != n.city {
                    c.push("postcode/city");
                }
                if o.grunnkrets_code != n.grunnkrets_code {
                    c.push("grunnkrets");
                }
                if !same_point(o.position, n.position) {
                    c.push("position");
                }
                if o.access.map(|p| (p.lon, p.lat)) != n.access.map(|p| (p.lon, p.lat)) {
                    c.push("access");
                }
                c
            },
        ));
    }
    if let Some(rows) = &batch.districts {
        let old = store
            .districts
            .iter()
            .filter_map(|d| {
                let s = d.source.as_ref()?;
                (s.source == source).then_some((s.source_id.as_str(), d))
            })
            .collect();
        out.tables.push(table(
            "districts",
            old,
            rows,
            |d| d.source_id.as_str(),
            |d| format!("{} ({})", d.name, d.level),
            |d| format!("{} ({})", d.name, d.level),
            |o, n| {
                let mut c = Vec::new();
                if o.name != n.name {
                    c.push("name");
                }
                if o.level != n.level {
                    c.push("level");
                }
                if o.population != n.population {
                    c.push("population");
                }
                if o.geometry != n.geometry {
                    c.push("geometry");
                }
                c
            },
        ));
    }
    out
}

impl ImportPlan {
    /// Refuses a plan that removes more than [`MAX_REMOVAL_SHARE`] of a table's rows of the
    /// source, unless `guard` allows it; the error says how many, and how to go on.
    pub fn check(&self, file: &std::path::Path, guard: ImportGuard) -> Result<(), ImportError> {
        if guard.allow_removal {
            return Ok(());
        }
        for t in &self.tables {
            let share = if t.before == 0 {
                0.0
            } else {
                t.removed.len() as f64 / t.before as f64
            };
            if share > MAX_REMOVAL_SHARE {
                return Err(ImportError::file(
                    file,
                    format!(
                        "this import would remove {} of the {} {} of source {:?} ({:.0} %), \
                         more than {:.0} %: nothing was changed. Is the file a part of the \
                         source, or another source? `--dry-run` lists what would change; to \
                         import it under its own name give `--source NAME`; to remove them \
                         on purpose run again with `--allow-removal`",
                        t.removed.len(),
                        t.before,
                        t.table,
                        self.source,
                        share * 100.0,
                        MAX_REMOVAL_SHARE * 100.0
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for ImportPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Dry run: nothing was changed. Importing this into source {:?} would:",
            self.source
        )?;
        const SHOWN: usize = 20;
        for t in &self.tables {
            writeln!(
                f,
                "  {}: {} added, {} changed, {} removed, {} unchanged (of {} now)",
                t.table,
                t.added.len(),
                t.changed.len(),
                t.removed.len(),
                t.unchanged,
                t.before
            )?;
            let mut list = |what: &str, rows: Vec<String>| -> std::fmt::Result {
                for r in rows.iter().take(SHOWN) {
                    writeln!(f, "    {what} {r}")?;
                }
                if rows.len() > SHOWN {
                    writeln!(f, "    … and {} more {what}", rows.len() - SHOWN)?;
                }
                Ok(())
            };
            list("add", t.added.clone())?;
            list(
                "change",
                t.changed
                    .iter()
                    .map(|(r, fields)| format!("{r}: {}", fields.join(", ")))
                    .collect(),
            )?;
            list("remove", t.removed.clone())?;
        }
        Ok(())
    }
}
