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
    /// Change the kind of more than [`MAX_REMOVAL_SHARE`] of the source's facilities.
    pub allow_kind_change: bool,
    /// Import rows whose ids another source already holds (they would show twice).
    pub allow_duplicates: bool,
    /// Import more than [`MAX_REMOVAL_SHARE`] of rows lying outside the store's kommune(s).
    pub allow_outside: bool,
}

impl ImportGuard {
    /// No questions asked: for tests and for code that knows what it imports.
    pub const TRUSTED: ImportGuard = ImportGuard {
        dry_run: false,
        allow_removal: true,
        allow_kind_change: true,
        allow_duplicates: true,
        allow_outside: true,
    };

    /// True when nothing needs the plan: every question is answered yes.
    pub fn trusts_everything(&self) -> bool {
        !self.dry_run
            && self.allow_removal
            && self.allow_kind_change
            && self.allow_duplicates
            && self.allow_outside
    }
}

/// How far outside its kommune(s) a row may lie before it counts as outside: the buffer
/// `fetch` keeps sports facilities and OSM within ([`crate::import::clip::DEFAULT_BUFFER_M`]),
/// and 2 km more for facilities that sit on the border.
pub const OUTSIDE_M: f64 = crate::import::clip::DEFAULT_BUFFER_M + 2000.0;

/// Rows of one table lying farther than [`OUTSIDE_M`] from every kommune of the store.
#[derive(Debug, Default)]
pub struct Outside {
    pub table: &'static str,
    pub count: usize,
    pub of: usize,
    /// Up to three, named.
    pub examples: Vec<String>,
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
    /// Facilities whose kind would change: (how many, from kind, to kind) per pair.
    pub kind_changes: Vec<(usize, &'static str, &'static str)>,
    /// Other sources that hold the ids of this file's facilities: (source, how many).
    pub held_elsewhere: Vec<(String, usize)>,
    /// Facilities the import removes where organisations hold activities or volunteer
    /// needs: (facility, the items' titles).
    pub removed_in_use: Vec<(String, Vec<String>)>,
    /// The kommuner (level `kommune` districts) the store holds, by name.
    pub kommuner: Vec<String>,
    /// Rows outside those kommuner, per table (none when the store holds no kommune).
    pub outside: Vec<Outside>,
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
        ..Default::default()
    };
    if let Some(rows) = &batch.facilities {
        let old: Vec<(&str, &crate::domain::Facility)> = store
            .facilities
            .iter()
            .filter(|f| f.source.source == source)
            .map(|f| (f.source.source_id.as_str(), f))
            .collect();
        // A mistyped --kind turns a source's kindergartens into schools.
        let kind_of: HashMap<&str, crate::domain::FacilityKind> =
            old.iter().map(|(id, f)| (*id, f.kind)).collect();
        let mut pairs: std::collections::BTreeMap<(&'static str, &'static str), usize> =
            Default::default();
        for r in rows {
            if let Some(k) = kind_of.get(r.source_id.as_str())
                && *k != r.kind
            {
                *pairs.entry((k.as_str(), r.kind.as_str())).or_default() += 1;
            }
        }
        out.kind_changes = pairs.into_iter().map(|((a, b), n)| (n, a, b)).collect();
        // The same official ids (orgnr, anleggsnummer, OSM ids) under another source's name.
        let new_ids: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.source_id.as_str()).collect();
        let mut elsewhere: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in &store.facilities {
            if f.source.source != source && new_ids.contains(f.source.source_id.as_str()) {
                *elsewhere.entry(f.source.source.as_str()).or_default() += 1;
            }
        }
        out.held_elsewhere = elsewhere
            .into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect();
        // Activities and needs at a facility the import removes (issue 20 item 3).
        let removed: HashMap<i64, &crate::domain::Facility> = old
            .iter()
            .filter(|(id, _)| !new_ids.contains(id))
            .map(|(_, f)| (f.id, *f))
            .collect();
        let mut in_use: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
        let titles = store
            .activities
            .iter()
            .map(|a| (&a.doc.place, &a.doc.title))
            .chain(
                store
                    .volunteer_needs
                    .iter()
                    .map(|n| (&n.doc.place, &n.doc.title)),
            );
        for (place, title) in titles {
            if let crate::domain::activity::Place::Facility { facility_id } = place
                && removed.contains_key(facility_id)
            {
                in_use.entry(*facility_id).or_default().push(title.clone());
            }
        }
        out.removed_in_use = in_use
            .into_iter()
            .map(|(id, items)| {
                let f = removed[&id];
                (label(&f.name, &f.source.source_id), items)
            })
            .collect();
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
    let kommuner: Vec<&crate::domain::District> = store
        .districts
        .iter()
        .filter(|d| d.level == "kommune")
        .collect();
    out.kommuner = kommuner.iter().map(|d| d.name.clone()).collect();
    if let Some(rows) = &batch.facilities {
        out.outside.extend(outside(
            "facilities",
            &kommuner,
            rows.iter()
                .map(|f| (f.position, || label(&f.name, &f.source_id))),
        ));
    }
    if let Some(rows) = &batch.addresses {
        out.outside.extend(outside(
            "addresses",
            &kommuner,
            rows.iter()
                .map(|a| (a.position, || format!("{} {}", a.street, a.number))),
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

fn label(name: &Option<String>, id: &str) -> String {
    match name {
        Some(n) => format!("{n} ({id})"),
        None => id.to_string(),
    }
}

/// The rows farther than [`OUTSIDE_M`] from every one of `kommuner`; `None` when there is
/// no kommune to compare with. Distances in metres on a local equirectangular projection
/// (exact enough at a few km).
fn outside<F: Fn() -> String>(
    table: &'static str,
    kommuner: &[&crate::domain::District],
    rows: impl Iterator<Item = (LonLat, F)>,
) -> Option<Outside> {
    use geo::{BoundingRect, Distance, Euclidean, Intersects, MapCoords};
    if kommuner.is_empty() {
        return None;
    }
    let lat0 = kommuner[0]
        .geometry
        .bounding_rect()
        .map_or(60.0, |r| r.center().y)
        .to_radians();
    let to_m = |c: geo::Coord<f64>| geo::Coord {
        x: c.x * crate::domain::METRES_PER_DEGREE_LAT * lat0.cos(),
        y: c.y * crate::domain::METRES_PER_DEGREE_LAT,
    };
    let areas: Vec<(geo::MultiPolygon<f64>, geo::Rect<f64>)> = kommuner
        .iter()
        .filter_map(|d| {
            let m = d.geometry.map_coords(to_m);
            let r = m.bounding_rect()?;
            Some((m, r))
        })
        .collect();
    let mut out = Outside {
        table,
        ..Default::default()
    };
    for (p, name) in rows {
        out.of += 1;
        let at = geo::Point::from(to_m(geo::Coord { x: p.lon, y: p.lat }));
        let near = areas.iter().any(|(m, r)| {
            let (min, max) = (r.min(), r.max());
            let in_reach = at.x() >= min.x - OUTSIDE_M
                && at.x() <= max.x + OUTSIDE_M
                && at.y() >= min.y - OUTSIDE_M
                && at.y() <= max.y + OUTSIDE_M;
            in_reach && (m.intersects(&at) || Euclidean.distance(&at, m) <= OUTSIDE_M)
        });
        if !near {
            out.count += 1;
            if out.examples.len() < 3 {
                out.examples
                    .push(format!("{} at {}, {}", name(), p.lon, p.lat));
            }
        }
    }
    Some(out)
}

impl ImportPlan {
    /// Warnings for the operator: rows outside the store's kommuner that did not stop the
    /// import (the count, of how many, and examples).
    pub fn warnings(&self) -> Vec<String> {
        self.outside
            .iter()
            .filter(|o| o.count > 0)
            .map(|o| {
                format!(
                    "warning: {} of the {} {} lie more than {:.0} km outside {} (e.g. {})",
                    o.count,
                    o.of,
                    o.table,
                    OUTSIDE_M / 1000.0,
                    self.kommuner.join(" and "),
                    o.examples.join("; ")
                )
            })
            .collect()
    }

    /// True when the import would change no row.
    pub fn changes_nothing(&self) -> bool {
        self.tables
            .iter()
            .all(|t| t.added.is_empty() && t.changed.is_empty() && t.removed.is_empty())
    }

    /// The table's change as the store reports it, with `updated` counting only the rows
    /// whose fields change (the store counts every row it wrote).
    pub fn table_change(&self, table: &str) -> Option<crate::store::TableChange> {
        let t = self.tables.iter().find(|t| t.table == table)?;
        Some(crate::store::TableChange {
            inserted: t.added.len() as u64,
            updated: t.changed.len() as u64,
            removed: t.removed.len() as u64,
        })
    }

    /// Refuses a plan that removes more than [`MAX_REMOVAL_SHARE`] of a table's rows of the
    /// source, unless `guard` allows it; the error says how many, and how to go on.
    pub fn check(&self, file: &std::path::Path, guard: ImportGuard) -> Result<(), ImportError> {
        let facilities = self
            .tables
            .iter()
            .find(|t| t.table == "facilities")
            .map_or(0, |t| t.before);
        let changing: usize = self.kind_changes.iter().map(|c| c.0).sum();
        if !guard.allow_kind_change
            && changing > 0
            && changing as f64 > MAX_REMOVAL_SHARE * facilities as f64
        {
            let what: Vec<String> = self
                .kind_changes
                .iter()
                .map(|(n, a, b)| format!("{n} from {a} to {b}"))
                .collect();
            return Err(ImportError::file(
                file,
                format!(
                    "this import would change the kind of {changing} of the {facilities} \
                     facilities of source {:?} ({}): nothing was changed. Is --kind right? \
                     To change them on purpose run again with `--allow-kind-change`",
                    self.source,
                    what.join(", ")
                ),
            ));
        }
        let new_rows = self
            .tables
            .iter()
            .find(|t| t.table == "facilities")
            .map_or(0, |t| t.added.len() + t.changed.len() + t.unchanged);
        if !guard.allow_duplicates
            && let Some((other, n)) = self.held_elsewhere.iter().max_by_key(|(_, n)| *n)
            && *n > 0
        {
            return Err(ImportError::file(
                file,
                format!(
                    "{n} of this file's {new_rows} facilities are already in source {other:?} \
                     (the same ids): imported as source {:?} they would show twice. To update \
                     them, import the file as `--source {other}`; to keep both on purpose run \
                     again with `--allow-duplicates`",
                    self.source
                ),
            ));
        }
        if !guard.allow_outside
            && let Some(o) = self
                .outside
                .iter()
                .find(|o| o.count > 0 && o.count as f64 > MAX_REMOVAL_SHARE * o.of as f64)
        {
            return Err(ImportError::file(
                file,
                format!(
                    "{} of the file's {} {} lie more than {:.0} km outside the store's kommune \
                     ({}), e.g. {}: nothing was changed. Is it the right kommune's file? To \
                     serve another kommune too, import its boundary first (`naermiljo fetch \
                     --kommune KNR` then `import kommune`); to import them anyway run again \
                     with `--allow-outside`",
                    o.count,
                    o.of,
                    o.table,
                    OUTSIDE_M / 1000.0,
                    self.kommuner.join(", "),
                    o.examples.join("; ")
                ),
            ));
        }
        if guard.allow_removal {
            return Ok(());
        }
        if !self.removed_in_use.is_empty() {
            let list: Vec<String> = self
                .removed_in_use
                .iter()
                .take(5)
                .map(|(f, items)| format!("{f}: «{}»", items.join("», «")))
                .collect();
            return Err(ImportError::file(
                file,
                format!(
                    "this import would remove {} where organisations hold activities \
                     or volunteer needs ({}{}): nothing was changed. To remove them on purpose \
                     run again with `--allow-removal`: the activities and needs stay on the map \
                     at the facilities' last positions, for their organisations to move",
                    match self.removed_in_use.len() {
                        1 => "1 facility".to_string(),
                        n => format!("{n} facilities"),
                    },
                    list.join("; "),
                    if self.removed_in_use.len() > 5 {
                        "; …"
                    } else {
                        ""
                    }
                ),
            ));
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
                         more than {:.0} %: nothing was changed. {}`--dry-run` lists what \
                         would change; to import it under its own name give `--source NAME`; \
                         to remove them on purpose run again with `--allow-removal`",
                        t.removed.len(),
                        t.before,
                        t.table,
                        self.source,
                        share * 100.0,
                        MAX_REMOVAL_SHARE * 100.0,
                        if t.removed.len() == t.before {
                            "None of the file's ids are in the source: it looks like another \
                             source (two files with the same name?). "
                        } else {
                            "Is the file a part of the source? "
                        }
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
        for (n, a, b) in &self.kind_changes {
            writeln!(f, "  {n} facilities would change kind from {a} to {b}")?;
        }
        for (facility, items) in &self.removed_in_use {
            writeln!(
                f,
                "  the removed facility {facility} holds «{}» (kept at its last position)",
                items.join("», «")
            )?;
        }
        for w in self.warnings() {
            writeln!(f, "  {}", w.trim_start_matches("warning: "))?;
        }
        for (other, n) in &self.held_elsewhere {
            writeln!(
                f,
                "  {n} of the file's facilities are already in source {other:?} (the same ids)"
            )?;
        }
        Ok(())
    }
}
