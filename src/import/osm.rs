//! Facilities and addresses from an OpenStreetMap PBF extract.
//!
//! One pass over the file keeps every node's position and every way's node list (a
//! municipality's extract is a few hundred thousand nodes: tens of MB at most), and the
//! tagged objects of interest. Ways and relations are then placed at a representative point:
//! a point inside the polygon for closed ways and multipolygons, the middle vertex of an open
//! way. Objects whose nodes all lie outside the extract are skipped and counted.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use geo::{Area, InteriorPoint};
use indicatif::ProgressBar;
use osmpbf::{BlobDecode, Element, RelMemberType};

use super::ImportError;
use crate::domain::{FacilityKind, LonLat, NewAddress, NewFacility};
use crate::routing::build::{from_osm_ways, walk_flags};
use crate::routing::{EdgeFlags, WalkGraph};

/// Tags copied into a facility's `properties`.
const KEPT_TAGS: &[&str] = &[
    "operator",
    "website",
    "contact:website",
    "phone",
    "contact:phone",
    "email",
    "sport",
    "surface",
    "lit",
    "access",
    "fee",
    "capacity",
    "isced:level",
    "grades",
    "min_age",
    "max_age",
    "description",
    "ref",
];

#[derive(Debug)]
pub struct OsmData {
    pub facilities: Vec<NewFacility>,
    pub addresses: Vec<NewAddress>,
    /// Tagged objects that could not be placed, with why (e.g. `way/12: no nodes in the extract`).
    pub skipped: Vec<String>,
    /// The pedestrian network of the extract.
    pub walk_graph: WalkGraph,
    /// What the basemap draws, in lon/lat.
    pub basemap: Vec<crate::basemap::MapFeature>,
    /// Administrative districts (bydeler) from boundary relations, clipped to the extract.
    pub districts: Vec<crate::domain::NewDistrict>,
    /// Green areas, forest and shores (issue 22), with what was left out.
    pub nature: super::nature::NatureData,
    /// How long assembling the nature areas took (for the benchmark).
    pub nature_time: std::time::Duration,
    /// How long the passes over the file took, until every kept element is in memory, one
    /// line for the import's report: with a clip that is the cut (the two id passes, then the
    /// reading pass and how many of the file's blobs it decompressed), for the benchmark
    /// against `osmium extract`.
    pub read_note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ObjType {
    Node,
    Way,
    Relation,
}

impl ObjType {
    fn as_str(self) -> &'static str {
        match self {
            ObjType::Node => "node",
            ObjType::Way => "way",
            ObjType::Relation => "relation",
        }
    }
}

/// An object with tags we want, before it has a position.
struct Tagged {
    kind: Option<FacilityKind>,
    is_address: bool,
    tags: BTreeMap<String, String>,
}

/// One element of the file, owned: the reading pass decodes and filters blocks in parallel,
/// and only what is kept goes, in file order, to the one [`Reader`].
enum Owned {
    Node {
        id: i64,
        /// Lon, lat.
        at: [f64; 2],
        tags: Vec<(String, String)>,
    },
    Way {
        id: i64,
        refs: Vec<i64>,
        tags: Vec<(String, String)>,
    },
    Relation {
        id: i64,
        /// (type, id, role).
        members: Vec<(RelMemberType, i64, String)>,
        tags: Vec<(String, String)>,
    },
}

impl Owned {
    fn of(element: Element<'_>) -> Owned {
        fn owned<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
            tags.map(|(k, v)| (k.to_string(), v.to_string())).collect()
        }
        match element {
            Element::Node(n) => Owned::Node {
                id: n.id(),
                at: [n.lon(), n.lat()],
                tags: owned(n.tags()),
            },
            Element::DenseNode(n) => Owned::Node {
                id: n.id(),
                at: [n.lon(), n.lat()],
                tags: owned(n.tags()),
            },
            Element::Way(w) => Owned::Way {
                id: w.id(),
                refs: w.refs().collect(),
                tags: owned(w.tags()),
            },
            Element::Relation(r) => Owned::Relation {
                id: r.id(),
                members: r
                    .members()
                    .map(|m| {
                        (
                            m.member_type.clone(),
                            m.member_id,
                            m.role().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
                tags: owned(r.tags()),
            },
        }
    }
}

/// An owned element's tags as the readers of tags take them.
fn pairs(tags: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> + Clone {
    tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

#[derive(Default)]
struct Reader {
    nodes: HashMap<i64, [f64; 2]>,
    ways: HashMap<i64, Vec<i64>>,
    /// Relation members: (type, id, role).
    relations: HashMap<i64, Vec<(RelMemberType, i64, String)>>,
    tagged: BTreeMap<(ObjType, i64), Tagged>,
    /// Walkable ways, in file order, with their flags.
    walkways: Vec<(i64, EdgeFlags)>,
    basemap: crate::basemap::Collector,
    boundaries: Vec<super::boundaries::BoundaryRelation>,
    nature: Vec<super::nature::Tagged>,
    /// The name of the `type=waterway` relation (a whole river) each member way belongs to:
    /// mappers often name the river only there, not on each of its ways.
    waterway_names: HashMap<i64, String>,
    elements: u64,
}

/// Which facility kind these tags describe, if any. `amenity` wins over `leisure`.
pub fn facility_kind<'a>(
    tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<FacilityKind> {
    let get = |key: &str| tags.clone().find(|(k, _)| *k == key).map(|(_, v)| v);
    let from_amenity = match get("amenity") {
        Some("school") => Some(FacilityKind::School),
        Some("kindergarten") => Some(FacilityKind::Kindergarten),
        Some("library") => Some(FacilityKind::Library),
        Some("community_centre") if get("community_centre") == Some("youth_centre") => {
            Some(FacilityKind::YouthClub)
        }
        Some("community_centre") => Some(FacilityKind::CommunityCentre),
        Some("arts_centre") => Some(FacilityKind::CultureHouse),
        Some("youth_centre") => Some(FacilityKind::YouthClub),
        _ => None,
    };
    from_amenity.or_else(|| match get("leisure") {
        Some("playground") => Some(FacilityKind::Playground),
        // Skateparks are often mapped as a pitch for skateboarding.
        Some("pitch") if get("sport") == Some("skateboard") => Some(FacilityKind::Skatepark),
        Some("pitch") => Some(FacilityKind::Pitch),
        Some("sports_centre") | Some("sports_hall") => Some(FacilityKind::SportsHall),
        Some("fitness_station") => Some(FacilityKind::FitnessStation),
        Some("skatepark") => Some(FacilityKind::Skatepark),
        Some("track") => Some(FacilityKind::Track),
        Some("park") => Some(FacilityKind::Park),
        _ => None,
    })
}

fn is_address<'a>(mut tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    tags.any(|(k, _)| k == "addr:housenumber")
}

impl Reader {
    fn consider<'a>(
        &mut self,
        obj: ObjType,
        id: i64,
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) {
        self.consider_nature(obj, id, tags.clone());
        let kind = facility_kind(tags.clone());
        let is_address = is_address(tags.clone());
        if kind.is_some() || is_address {
            let tags = tags.map(|(k, v)| (k.to_string(), v.to_string())).collect();
            self.tagged.insert(
                (obj, id),
                Tagged {
                    kind,
                    is_address,
                    tags,
                },
            );
        }
    }

    /// Keeps nature areas (closed ways, multipolygons), water lines and bathing places.
    fn consider_nature<'a>(
        &mut self,
        obj: ObjType,
        id: i64,
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) {
        let Some((class, tag)) = crate::domain::nature::classify(tags.clone()) else {
            return;
        };
        let get = |key: &str| tags.clone().find(|(k, _)| *k == key).map(|(_, v)| v);
        let wanted = match obj {
            ObjType::Node => {
                class == crate::domain::nature::NatureClass::Shore
                    && !matches!(
                        tag.as_str(),
                        "natural=water"
                            | "natural=coastline"
                            | "waterway=river"
                            | "waterway=riverbank"
                    )
            }
            ObjType::Way => true,
            ObjType::Relation => get("type") == Some("multipolygon"),
        };
        if wanted {
            self.nature.push(super::nature::Tagged {
                obj: obj.as_str(),
                id,
                class,
                tag,
                name: get("name").map(str::to_string),
            });
        }
    }

    fn element(&mut self, element: Owned) {
        self.elements += 1;
        match element {
            Owned::Node { id, at, tags } => {
                self.nodes.insert(id, at);
                self.basemap.node(id, pairs(&tags));
                self.consider(ObjType::Node, id, pairs(&tags));
            }
            Owned::Way { id, refs, tags } => {
                self.basemap.way(id, &refs, pairs(&tags));
                self.ways.insert(id, refs);
                if let Some(flags) = walk_flags(pairs(&tags)) {
                    self.walkways.push((id, flags));
                }
                self.consider(ObjType::Way, id, pairs(&tags));
            }
            Owned::Relation { id, members, tags } => {
                let tag = |key: &str| pairs(&tags).find(|(k, _)| *k == key).map(|(_, v)| v);
                if tag("type") == Some("waterway")
                    && let Some(name) = tag("name")
                {
                    for (kind, member, _) in &members {
                        if *kind == RelMemberType::Way {
                            self.waterway_names
                                .entry(*member)
                                .or_insert_with(|| name.to_string());
                        }
                    }
                }
                self.relations.insert(id, members);
                if tag("boundary") == Some("administrative")
                    && let Some(admin_level) =
                        tag("admin_level").and_then(super::boundaries::level_of)
                    && let Some(name) = tag("name")
                {
                    self.boundaries.push(super::boundaries::BoundaryRelation {
                        id,
                        name: name.to_string(),
                        admin_level,
                    });
                }
                self.basemap.relation(id, pairs(&tags));
                self.consider(ObjType::Relation, id, pairs(&tags));
            }
        }
    }

    fn way_coords(&self, way: i64) -> Vec<geo::Coord<f64>> {
        self.ways
            .get(&way)
            .map(|refs| {
                refs.iter()
                    .filter_map(|r| self.nodes.get(r))
                    .map(|&[x, y]| geo::Coord { x, y })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The object's outline where it is an area: a closed way, or a relation's complete
    /// closed outer ways (inner rings are left out: a facility is reached at its outer edge).
    fn area(&self, obj: ObjType, id: i64) -> Option<geo::MultiPolygon<f64>> {
        let closed = |way: i64| {
            let refs = self.ways.get(&way)?;
            let coords = self.way_coords(way);
            (refs.len() >= 4 && coords.len() == refs.len() && coords.first() == coords.last())
                .then(|| geo::Polygon::new(geo::LineString(coords), vec![]))
        };
        let polygons: Vec<geo::Polygon<f64>> = match obj {
            ObjType::Node => return None,
            ObjType::Way => vec![closed(id)?],
            ObjType::Relation => self
                .relations
                .get(&id)?
                .iter()
                .filter(|(t, _, role)| *t == RelMemberType::Way && role != "inner")
                .filter_map(|(_, mid, _)| closed(*mid))
                .collect(),
        };
        (!polygons.is_empty()).then_some(geo::MultiPolygon(polygons))
    }

    /// A point that stands for the object: inside its area where it has one.
    fn position(&self, obj: ObjType, id: i64) -> Option<LonLat> {
        match obj {
            ObjType::Node => self.nodes.get(&id).map(|&[lon, lat]| LonLat::new(lon, lat)),
            ObjType::Way => {
                let refs = self.ways.get(&id)?;
                let coords = self.way_coords(id);
                let closed =
                    refs.len() >= 4 && refs.first() == refs.last() && coords.len() == refs.len();
                representative(coords, closed)
            }
            ObjType::Relation => {
                let members = self.relations.get(&id)?;
                // The largest complete closed outer way stands for a multipolygon; failing
                // that, any member way's or node's position.
                let mut best: Option<(f64, geo::Polygon<f64>)> = None;
                let mut any = Vec::new();
                for (t, mid, role) in members {
                    match t {
                        RelMemberType::Way if role != "inner" => {
                            let coords = self.way_coords(*mid);
                            let refs = self.ways.get(mid).map(Vec::len).unwrap_or(0);
                            if refs >= 4 && coords.len() == refs && coords.first() == coords.last()
                            {
                                let poly =
                                    geo::Polygon::new(geo::LineString(coords.clone()), vec![]);
                                let area = poly.unsigned_area();
                                if best.as_ref().is_none_or(|(a, _)| area > *a) {
                                    best = Some((area, poly));
                                }
                            }
                            any.extend(coords);
                        }
                        RelMemberType::Node => {
                            any.extend(self.nodes.get(mid).map(|&[x, y]| geo::Coord { x, y }));
                        }
                        _ => {}
                    }
                }
                match best {
                    Some((_, poly)) => poly.interior_point().map(|p| LonLat::new(p.x(), p.y())),
                    None => representative(any, false),
                }
            }
        }
    }
}

fn representative(coords: Vec<geo::Coord<f64>>, closed: bool) -> Option<LonLat> {
    if coords.is_empty() {
        return None;
    }
    if closed {
        let poly = geo::Polygon::new(geo::LineString(coords), vec![]);
        return poly.interior_point().map(|p| LonLat::new(p.x(), p.y()));
    }
    let mid = coords[coords.len() / 2];
    Some(LonLat::new(mid.x, mid.y))
}

fn one_line_address(tags: &BTreeMap<String, String>) -> Option<String> {
    let street = tags.get("addr:street").or_else(|| tags.get("addr:place"))?;
    let mut s = match tags.get("addr:housenumber") {
        Some(n) => format!("{street} {n}"),
        None => street.clone(),
    };
    match (tags.get("addr:postcode"), tags.get("addr:city")) {
        (Some(p), Some(c)) => s.push_str(&format!(", {p} {c}")),
        (Some(p), None) => s.push_str(&format!(", {p}")),
        (None, Some(c)) => s.push_str(&format!(", {c}")),
        (None, None) => {}
    }
    Some(s)
}

/// Reads the whole extract. Fails on a damaged or truncated file without returning anything.
pub fn read(path: &Path, progress: &ProgressBar) -> Result<OsmData, ImportError> {
    read_within(path, None, progress)
}

/// Reads the extract, cut to `clip` when given (complete ways, see `clip.rs`): two passes
/// that keep ids only, then the reading pass keeps what they chose.
pub fn read_within(
    path: &Path,
    clip: Option<&super::clip::Clip>,
    progress: &ProgressBar,
) -> Result<OsmData, ImportError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ImportError::file(path, format!("cannot read: {e}")))?
        .len();
    progress.set_length(size);
    let reading = std::time::Instant::now();

    let mut reader = Reader::default();
    let keep = match clip {
        Some(clip) => {
            progress.set_message("choosing what lies in the area");
            let keep = super::clip::select(path, clip)?;
            progress.set_message("reading");
            Some(keep)
        }
        None => None,
    };
    let chosen = reading.elapsed();
    let (decompressed, blobs) = (AtomicUsize::new(0), AtomicUsize::new(0));
    // What the reading pass takes from a blob.
    enum Read {
        Header(Box<osmpbf::HeaderBlock>),
        Data(Vec<Owned>),
    }
    let mut saw_header = false;
    // Blocks are decompressed in parallel, a batch at a time, and read in file order (the
    // reader keeps state across blocks): most of this pass is decompression. A cut file's
    // blobs that hold nothing kept are not decompressed at all.
    super::clip::each_blob(
        path,
        |i| {
            blobs.fetch_add(1, Ordering::Relaxed);
            let wanted = keep.as_ref().is_none_or(|keep| keep.wants_blob(i));
            decompressed.fetch_add(usize::from(wanted), Ordering::Relaxed);
            wanted
        },
        |decoded| match decoded {
            BlobDecode::OsmHeader(header) => Some(Read::Header(header)),
            BlobDecode::OsmData(block) => {
                let mut filter = keep.as_ref().map(super::clip::Keep::block_filter);
                Some(Read::Data(
                    block
                        .elements()
                        .filter(|e| filter.as_mut().is_none_or(|f| f.keeps(e)))
                        .map(Owned::of)
                        .collect(),
                ))
            }
            BlobDecode::Unknown(_) => None,
        },
        |decoded| {
            match decoded {
                Some(Read::Header(header)) => {
                    if let Some(feature) = header
                        .required_features()
                        .iter()
                        .find(|f| !matches!(f.as_str(), "OsmSchema-V0.6" | "DenseNodes"))
                    {
                        return Err(ImportError::file(
                            path,
                            format!("needs the unsupported PBF feature {feature:?}"),
                        ));
                    }
                    saw_header = true;
                    if let Some(clip) = clip {
                        reader.basemap.bounds = Some(crate::basemap::coast::Bounds {
                            min: clip.bounds.min(),
                            max: clip.bounds.max(),
                        });
                    } else if let Some(b) = header.bbox() {
                        reader.basemap.bounds = Some(crate::basemap::coast::Bounds {
                            min: geo::Coord {
                                x: b.left.min(b.right),
                                y: b.top.min(b.bottom),
                            },
                            max: geo::Coord {
                                x: b.left.max(b.right),
                                y: b.top.max(b.bottom),
                            },
                        });
                    }
                }
                Some(Read::Data(elements)) => {
                    if !saw_header {
                        return Err(ImportError::file(
                            path,
                            "data before the OSM header: not a valid PBF file",
                        ));
                    }
                    elements.into_iter().for_each(|e| reader.element(e));
                }
                None => {}
            }
            Ok(std::ops::ControlFlow::Continue(()))
        },
        |offset| progress.set_position(offset),
    )?;
    progress.set_position(size);
    let read_note = match &keep {
        Some(keep) => format!(
            "cut to the area in {:.2} s: {:.2} s over the blobs of nodes (those inside), {:.2} s \
             over the rest (the ways and relations with one), then {:.2} s reading {} of the \
             file's {} blobs{}",
            reading.elapsed().as_secs_f64(),
            keep.passes[0].as_secs_f64(),
            keep.passes[1].as_secs_f64(),
            (reading.elapsed() - chosen).as_secs_f64(),
            decompressed.into_inner(),
            blobs.into_inner(),
            if keep.sorted_by_type {
                ""
            } else {
                " (the file is not sorted by type, nodes after ways: its ways and relations \
                 were read twice)"
            }
        ),
        None => format!("read in {:.2} s", reading.elapsed().as_secs_f64()),
    };
    if !saw_header {
        return Err(ImportError::file(
            path,
            "no OSM header: not an OSM PBF file",
        ));
    }
    if reader.elements == 0 && clip.is_some() {
        return Err(ImportError::file(
            path,
            "nothing in the file lies in the area it is cut to (the --clip polygon and its \
             buffer): is it the extract of the right region?",
        ));
    }
    if reader.elements == 0 {
        return Err(ImportError::file(
            path,
            "holds no OSM elements: refusing to replace the data with nothing",
        ));
    }

    let walkways: Vec<(Vec<i64>, EdgeFlags)> = reader
        .walkways
        .iter()
        .filter_map(|(id, flags)| reader.ways.get(id).map(|refs| (refs.clone(), *flags)))
        .collect();
    let mut data = OsmData {
        facilities: Vec::new(),
        addresses: Vec::new(),
        skipped: Vec::new(),
        walk_graph: from_osm_ways(&reader.nodes, &walkways),
        basemap: Vec::new(),
        districts: Vec::new(),
        nature: Default::default(),
        nature_time: Default::default(),
        read_note,
    };
    let started = std::time::Instant::now();
    // A river's ways without a name of their own take their waterway relation's.
    for t in &mut reader.nature {
        if t.name.is_none() && t.obj == "way" {
            t.name = reader.waterway_names.get(&t.id).cloned();
        }
    }
    data.nature = super::nature::assemble(
        &reader.nature,
        &reader.nodes,
        &reader.ways,
        &reader.relations,
    );
    data.nature_time = started.elapsed();

    let (districts, skipped) = super::boundaries::assemble(
        &reader.boundaries,
        &reader.relations,
        &reader.ways,
        &reader.nodes,
        reader.basemap.bounds,
    );
    data.districts = districts;
    data.skipped.extend(skipped);
    data.basemap =
        std::mem::take(&mut reader.basemap).finish(&reader.nodes, &reader.ways, &reader.relations);
    for (&(obj, id), tagged) in &reader.tagged {
        let source_id = format!("{}/{id}", obj.as_str());
        let Some(position) = reader
            .position(obj, id)
            .map(LonLat::rounded)
            .filter(LonLat::is_valid)
        else {
            data.skipped
                .push(format!("{source_id}: none of its nodes are in the extract"));
            continue;
        };
        let tags = &tagged.tags;
        if let Some(kind) = tagged.kind {
            let mut properties = serde_json::Map::new();
            for key in KEPT_TAGS {
                if let Some(v) = tags.get(*key) {
                    properties.insert(key.to_string(), v.clone().into());
                }
            }
            data.facilities.push(NewFacility {
                kind,
                name: tags.get("name").cloned(),
                position,
                address: one_line_address(tags),
                wheelchair: tags.get("wheelchair").cloned(),
                opening_hours: tags.get("opening_hours").cloned(),
                source_id: source_id.clone(),
                properties,
                area: reader.area(obj, id),
            });
        }
        if tagged.is_address {
            let street = tags.get("addr:street").or_else(|| tags.get("addr:place"));
            match (street, tags.get("addr:housenumber")) {
                (Some(street), Some(number)) => data.addresses.push(NewAddress {
                    street: street.clone(),
                    number: number.clone(),
                    postcode: tags.get("addr:postcode").cloned(),
                    city: tags.get("addr:city").cloned(),
                    municipality_code: None,
                    grunnkrets_code: None,
                    grunnkrets_name: None,
                    access: None,
                    position,
                    source_id,
                }),
                _ => data.skipped.push(format!(
                    "{source_id}: a house number without addr:street or addr:place"
                )),
            }
        }
    }
    Ok(data)
}
