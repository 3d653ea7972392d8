//! OGC API – Features Part 3 (filtering), for the facilities, addresses and districts
//! collections (issue 17 item 2): `/api/collections/{id}/queryables` (a JSON Schema of what
//! a filter may name) and `filter=` in CQL2 text (or `filter-lang=cql2-json`), parsed and
//! evaluated by the cql2 crate against each feature as served (its `properties` and its
//! `geometry`), on the snapshot, not in SQL.

use serde_json::{Value, json};

use super::error::ApiError;
use super::params::Params;

/// The collections a filter applies to, by id (`facilities`, `addresses`, `districts`):
/// `features.rs` uses this module, so it names them here by their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Facilities,
    Addresses,
    Districts,
}

impl Collection {
    pub fn of(id: &str) -> Option<Collection> {
        match id {
            "facilities" => Some(Collection::Facilities),
            "addresses" => Some(Collection::Addresses),
            "districts" => Some(Collection::Districts),
            _ => None,
        }
    }

    fn id(self) -> &'static str {
        match self {
            Collection::Facilities => "facilities",
            Collection::Addresses => "addresses",
            Collection::Districts => "districts",
        }
    }
}

/// What a filter on `c` may name: (property, JSON Schema type, description).
fn queryable_list(c: Collection) -> Vec<(&'static str, Value, &'static str)> {
    let text = json!({ "type": "string" });
    let text_or_null = json!({ "type": ["string", "null"] });
    let integer = json!({ "type": ["integer", "null"] });
    let geometry = |kind: &str| json!({ "format": format!("geometry-{kind}") });
    match c {
        Collection::Facilities => vec![
            (
                "kind",
                json!({ "type": "string", "enum": crate::domain::FacilityKind::ALL.map(|k| k.as_str()) }),
                "What the facility is",
            ),
            ("name", text_or_null.clone(), "Its name"),
            ("address", text_or_null.clone(), "Its address"),
            (
                "naermiljoanlegg",
                json!({ "type": "boolean" }),
                "A nærmiljøanlegg (a neighbourhood sports or play facility)",
            ),
            (
                "wheelchair",
                text_or_null.clone(),
                "OSM wheelchair: yes, limited or no",
            ),
            (
                "opening_hours",
                text_or_null.clone(),
                "Opening hours in OSM syntax",
            ),
            (
                "district_id",
                text_or_null.clone(),
                "The id of its district (finest level)",
            ),
            ("district", text_or_null.clone(), "The name of its district"),
            ("source", text.clone(), "The import source"),
            (
                "source_id",
                text.clone(),
                "Its id in the source (orgnr, OSM id, anleggsnummer)",
            ),
            ("geometry", geometry("point"), "Its position"),
        ],
        Collection::Addresses => vec![
            ("label", text.clone(), "The address as written"),
            ("street", text.clone(), "Street or place name"),
            ("number", text.clone(), "House number with letter"),
            ("postcode", text_or_null.clone(), "Postnummer"),
            ("city", text_or_null.clone(), "Poststed"),
            ("municipality_code", text_or_null.clone(), "Kommunenummer"),
            ("grunnkrets_code", text_or_null.clone(), "Grunnkretsnummer"),
            ("grunnkrets_name", text_or_null.clone(), "Grunnkretsnavn"),
            (
                "district_id",
                text_or_null.clone(),
                "The id of its district (finest level)",
            ),
            ("district", text_or_null.clone(), "The name of its district"),
            ("source", text.clone(), "The import source"),
            ("geometry", geometry("point"), "Its position"),
        ],
        Collection::Districts => vec![
            ("name", text.clone(), "Its name"),
            (
                "code",
                text.clone(),
                "Its code (grunnkretsnummer, kommunenummer, …)",
            ),
            (
                "level",
                text.clone(),
                "kommune, kommunedel, bydel, delomrade, grunnkrets, postcode",
            ),
            (
                "parent_id",
                text_or_null.clone(),
                "The district of the next coarser level that holds it",
            ),
            ("parent", text_or_null, "That district's name"),
            ("population", integer, "Residents (null where withheld)"),
            (
                "addresses",
                json!({ "type": "integer" }),
                "Addresses inside",
            ),
            (
                "facilities",
                json!({ "type": "integer" }),
                "Facilities inside",
            ),
            ("geometry", geometry("multipolygon"), "Its area"),
        ],
    }
}

/// The queryables document (OGC API – Features Part 3, JSON Schema 2020-12).
pub fn queryables(c: Collection, base: &str) -> Value {
    let properties: serde_json::Map<String, Value> = queryable_list(c)
        .into_iter()
        .map(|(name, mut schema, description)| {
            schema["description"] = json!(description);
            (name.to_string(), schema)
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/api/collections/{}/queryables", c.id()),
        "type": "object",
        "title": c.id(),
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The property names an expression uses (its `{"property": …}` nodes in CQL2 JSON).
fn properties_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(p)) = o.get("property") {
                out.push(p.clone());
            }
            o.values().for_each(|x| properties_in(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| properties_in(x, out)),
        _ => {}
    }
}

/// Parses CQL2 text, all of it. A syntax error says where the expression stops making
/// sense, counted in characters from 1 in the text as given (pest's byte offset, turned
/// into characters), and what is left from there.
///
/// cql2 0.5 read the longest expression at the start and ignored the rest, and panicked on
/// `||` outside a string (found by the query_strings fuzz target; the input is kept in
/// `fuzz/corpus/query_strings`); 0.6 anchors its grammar at both ends and has no `||`.
///
/// Parentheses nested deeper than [`MAX_NESTING`] are refused before cql2 sees the text:
/// its PEG grammar tries alternatives that each read a parenthesised group again, so the
/// time doubles with every level (about 10 s at 20 levels of `f(` without an end, a case
/// the query_strings fuzz target found).
fn parse_text(text: &str) -> Result<cql2::Expr, String> {
    if let Some(at) = too_deep(text) {
        return Err(format!(
            "it nests parentheses more than {MAX_NESTING} deep (at character {at})"
        ));
    }
    cql2::parse_text(text).map_err(|e| {
        let cql2::Error::Pest(e) = e else {
            return e.to_string();
        };
        let byte = match e.location {
            pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
        };
        let Some(before) = text.get(..byte) else {
            return "it does not read to its end".into();
        };
        let read = before.chars().count();
        let rest = &text[byte..];
        if text.trim().is_empty() {
            "it is empty".into()
        } else if rest.trim().is_empty() {
            format!("it ends too early (after character {read})")
        } else {
            format!("it stops making sense at character {}: «{rest}»", read + 1)
        }
    })
}

/// How deep parentheses may nest in CQL2 text. A geometry collection of multipolygons
/// inside a function call needs 5; ten leaves room for hand-written grouping.
pub const MAX_NESTING: usize = 10;

/// The character (counted from 1) of the first `(` that opens a level deeper than
/// [`MAX_NESTING`], outside 'string literals' and "quoted identifiers"; `None` if there is
/// none. A `)` without its `(` is left to the parser to report.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in text.chars().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i + 1);
                }
            }
            (None, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// How deep operations may nest in a parsed filter: the top one is at 0, and each `NOT`,
/// `AND`, predicate or arithmetic inside another adds one (`NOT NOT kind = 'school'` has
/// the comparison at 2).
pub const MAX_DEPTH: usize = 20;

/// Whether `e` is a condition CQL2 can decide for a feature: `true`/`false`, `AND`/`OR` of
/// conditions, `NOT` of one, or a predicate (comparison, `LIKE`, `BETWEEN`, `IN`,
/// `IS NULL`, spatial, temporal, array) with its number of operands; no deeper than
/// [`MAX_DEPTH`]. `Err` says what is wrong.
///
/// Written here instead of `cql2::Expr::is_valid`, which validates against cql2's JSON Schema
/// with jsonschema 0.33: that crate compiles recursive `$ref`s lazily and keeps what it
/// compiled, so each new shape of expression grew the process for good (about 9 MB per level
/// of `NOT`; 2 GB after 1.2 million executions of the query_strings fuzz target, and
/// 1.8 GB from one filter of 100 `NOT`s; jsonschema issue 675).
fn condition(e: &cql2::Expr, depth: usize) -> Result<(), String> {
    use cql2::Expr;
    let (op, args) = match e {
        Expr::Bool(_) => return Ok(()),
        Expr::Operation { .. } if depth > MAX_DEPTH => return Err(too_deep_operations()),
        Expr::Operation { op, args } => (op.as_str(), args),
        _ => return Err("it must be a condition, e.g. kind = 'school'".into()),
    };
    let arity = match op {
        "and" | "or" => {
            return args.iter().try_for_each(|a| condition(a, depth + 1));
        }
        "not" => {
            return match args.as_slice() {
                [a] => condition(a, depth + 1),
                _ => Err(format!("not takes 1 operand, not {}", args.len())),
            };
        }
        "isNull" => 1,
        "between" => 3,
        "=" | "<>" | "<" | "<=" | ">" | ">=" | "like" | "in" => 2,
        _ if cql2::SPATIALOPS.contains(&op)
            || cql2::TEMPORALOPS.contains(&op)
            || cql2::ARRAYOPS.contains(&op) =>
        {
            2
        }
        _ if gives_value(op) => {
            return Err(format!(
                "{op} gives a value, not a condition; compare it, e.g. kind = 'school'"
            ));
        }
        _ => return Err(format!("{op}() is not a function this server offers")),
    };
    if args.len() != arity {
        return Err(format!("{op} takes {arity} operand(s), not {}", args.len()));
    }
    args.iter().try_for_each(|a| operand(a, depth + 1))
}

/// An operand of a predicate: a value, a property, arithmetic, `CASEI`/`ACCENTI`, a
/// condition, or a list, interval or bbox of those; no other function (the server defines
/// none) and no deeper than [`MAX_DEPTH`].
fn operand(e: &cql2::Expr, depth: usize) -> Result<(), String> {
    use cql2::Expr;
    match e {
        Expr::Operation { .. } if depth > MAX_DEPTH => Err(too_deep_operations()),
        Expr::Operation { op, args } if gives_value(op) => {
            args.iter().try_for_each(|a| operand(a, depth + 1))
        }
        Expr::Operation { .. } => condition(e, depth),
        Expr::Array(items) | Expr::Interval { interval: items } | Expr::BBox { bbox: items } => {
            items.iter().try_for_each(|a| operand(a, depth + 1))
        }
        Expr::Timestamp { timestamp: t } | Expr::Date { date: t } => operand(t, depth + 1),
        _ => Ok(()),
    }
}

/// Arithmetic and the string functions CQL2 defines: operations whose result is a value.
fn gives_value(op: &str) -> bool {
    cql2::ARITHOPS.contains(&op) || op == "casei" || op == "accenti"
}

fn too_deep_operations() -> String {
    format!("it nests operations more than {MAX_DEPTH} deep")
}

/// The first position of a geometry or a `BBOX` (its corners: `[w, s, e, n]` or
/// `[w, s, bottom, e, n, top]`) in `v` that lies outside -180..180, -90..90: a filter
/// written in projected metres would otherwise match nothing, silently.
fn outside_lonlat(v: &Value) -> Option<(f64, f64)> {
    fn positions(c: &Value) -> Option<(f64, f64)> {
        let a = c.as_array()?;
        if let (Some(x), Some(y)) = (
            a.first().and_then(Value::as_f64),
            a.get(1).and_then(Value::as_f64),
        ) {
            return (!(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y))
                .then_some((x, y));
        }
        a.iter().find_map(positions)
    }
    match v {
        Value::Object(o) => match (o.get("coordinates"), o.get("bbox")) {
            (Some(c), _) if o.contains_key("type") => positions(c),
            (_, Some(Value::Array(b))) if o.len() == 1 => {
                let (low, high) = b.split_at(b.len() / 2);
                positions(&Value::Array(vec![low.into(), high.into()]))
            }
            _ => o.values().find_map(outside_lonlat),
        },
        Value::Array(a) => a.iter().find_map(outside_lonlat),
        _ => None,
    }
}

/// A parsed `filter=`.
#[derive(Debug, Clone)]
pub struct Filter(cql2::Expr);

impl Filter {
    /// Reads `filter` and `filter-lang` (cql2-text, the default, or cql2-json); `None`
    /// without a filter.
    ///
    /// Errors: 400 problems naming `filter` for a syntax error (with the parser's position),
    /// an unknown queryable (listing the queryables), or a language not offered.
    pub fn parse(params: &Params, c: Collection) -> Result<Option<Filter>, ApiError> {
        let Some(text) = params.get("filter") else {
            if params.get("filter-lang").is_some() {
                return Err(ApiError::invalid("filter-lang", "give a filter with it"));
            }
            return Ok(None);
        };
        let expr = match params.get("filter-lang").unwrap_or("cql2-text") {
            "cql2-text" => parse_text(text),
            "cql2-json" => cql2::parse_json(text).map_err(|e| e.to_string()),
            other => {
                return Err(ApiError::invalid(
                    "filter-lang",
                    format!("{other:?} is not offered; use cql2-text or cql2-json"),
                ));
            }
        }
        .and_then(|expr| condition(&expr, 0).map(|()| expr))
        .map_err(|e| ApiError::invalid("filter", format!("not a CQL2 expression: {e}")))?;
        let json = serde_json::to_value(&expr)
            .map_err(|e| ApiError::invalid("filter", format!("not a CQL2 expression: {e}")))?;
        if let Some((x, y)) = outside_lonlat(&json) {
            return Err(ApiError::invalid(
                "filter",
                format!(
                    "the position ({x}, {y}) is not a longitude and latitude: a filter's \
                     geometries are in CRS84 (lon/lat); filter-crs is not offered, so transform \
                     UTM coordinates first, or use bbox with bbox-crs"
                ),
            ));
        }
        let mut used = Vec::new();
        properties_in(&json, &mut used);
        let known = queryable_list(c);
        for p in used {
            if !known.iter().any(|(name, _, _)| *name == p) {
                return Err(ApiError::invalid(
                    "filter",
                    format!(
                        "{p:?} is not a queryable of {}; queryables: {} (see /api/collections/{}/queryables)",
                        c.id(),
                        known.iter().map(|q| q.0).collect::<Vec<_>>().join(", "),
                        c.id()
                    ),
                ));
            }
        }
        Ok(Some(Filter(expr)))
    }

    /// True when the feature (its GeoJSON text as served) meets the filter; a feature the
    /// expression cannot be decided for (a property it lacks) does not.
    pub fn keeps(&self, feature: &str) -> bool {
        let Ok(item) = serde_json::from_str::<Value>(feature) else {
            return false;
        };
        self.0
            .clone()
            .reduce(Some(&item))
            .is_ok_and(cql2::Expr::is_true)
    }
}
