//! What operations share, completed over the whole document (issue 16 item 8): the
//! statuses every operation may answer, the limits of parameters that mean one thing
//! across the API, and the patterns of its vocabularies.

use serde_json::{Value, json};

/// White space as Rust's `trim` removes it (Unicode's White_Space), as the body of a regular
/// expression's character class: ECMA-262's `\s` differs from it in U+0085 and U+FEFF, and
/// Python's (which schemathesis draws with) in U+001C–U+001F.
macro_rules! ws {
    () => {
        "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
    };
}
const WS: &str = ws!();

/// Text with something besides white space.
pub(super) const NOT_BLANK: &str = concat!("[^", ws!(), "]");

/// The pattern of a comma-separated list of `words`, each item trimmed as the server trims it.
pub(super) fn comma_list(words: &[&str]) -> String {
    let item = format!("({})", words.join("|"));
    format!("^[{WS}]*{item}[{WS}]*(,[{WS}]*{item}[{WS}]*)*$")
}

/// `bbox=` as text: four numbers, or six (a 3D box), comma-separated, each finite. The order
/// of the corners (min before max) is a rule between values that a pattern cannot state.
pub(super) fn bbox_pattern() -> String {
    let n = format!("[{WS}]*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]{{1,2}})?[{WS}]*");
    format!("^{n}(,{n}){{3}}((,{n}){{2}})?$")
}

/// A whole number of minutes, 1 to 60, as the server reads integers (a sign, leading zeros).
const MINUTES: &str = "\\+?0*([1-9]|[1-5][0-9]|60)";

/// The pattern of a query parameter whose values come from a vocabulary, by its name (one
/// name means one thing across the API): comma-separated lists of categories, kinds,
/// accessibility features, weekdays or minutes, and the times of `open_at`.
fn vocabulary_pattern(name: &str) -> Option<String> {
    use crate::domain::{FacilityKind, activity::Category};
    let words = |words: &[&str]| format!("({})", words.join("|"));
    Some(match name {
        "category" => comma_list(&Category::ALL.map(Category::as_str)),
        "accessibility" => comma_list(&[
            "wheelchair",
            "step_free",
            "hearing_loop",
            "accessible_toilet",
            "sign_language",
            "easy_language",
        ]),
        "weekday" => comma_list(&[
            "\\+?0*[1-7]",
            "mon",
            "tue",
            "wed",
            "thu",
            "fri",
            "sat",
            "sun",
        ]),
        "bbox" => bbox_pattern(),
        "kind" => {
            // Items trimmed, empty ones skipped; `knutepunkt` is Drammen's word for a
            // community centre.
            let mut kinds = FacilityKind::ALL.map(FacilityKind::as_str).to_vec();
            kinds.extend(["naermiljoanlegg", "knutepunkt"]);
            let k = words(&kinds);
            format!("^[{WS},]*{k}([{WS}]*,[{WS},]*{k})*[{WS},]*$")
        }
        // Isochrone bands: at most six (`minutes` of /api/isochrone is such a list).
        "bands" | "minutes" => {
            format!("^[{WS}]*{MINUTES}[{WS}]*(,[{WS}]*{MINUTES}[{WS}]*){{0,5}}$")
        }
        // RFC 3339 with an offset, or an Oslo wall time without one (seconds optional; jiff
        // reads up to nine digits of a fraction).
        "open_at" => format!(
            "^[{WS}]*[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{{1,9}})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?[{WS}]*$"
        ),
        _ => return None,
    })
}

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// Completes what operations share, so that the document says what the server does (issue
/// 16 item 8; schemathesis checks the server against it in `tests/suite/schemathesis.rs`):
/// - every operation may answer 400 (a path, query, header or body it cannot read), and one
///   with a path parameter 404 (nothing by that id);
/// - an operation with `security` may answer 401 and 403;
/// - a string parameter without `enum`, `pattern` or `format` is never empty
///   (`minLength: 1`): the server refuses `q=`, `category=` and their kind rather than guess;
/// - a body may be refused with 422 (fields that read but are invalid), and so may a point
///   (`lon`, `lat`) too far from the walking network;
/// - `lon` and `lat` lie in -180..180 and -90..90, `limit` is at least 1, `offset` at least
///   0, `age` 0..120, `minutes` 1..60, other integers fit 64 bits; `crs` is one offered;
/// - lists of categories, kinds, features, weekdays and minutes, `bbox` and `open_at` have
///   patterns ([`vocabulary_pattern`]);
/// - a list in the query is comma-separated (`style: form`, `explode: false`);
/// - `If-Match` is an entity tag as RFC 9110 §8.8.3 writes one (a weak one is read, and
///   fails with 412: If-Match compares strongly).
pub(super) fn complete(doc: &mut Value) {
    let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let secured = op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            let params_named = |name: &str| {
                op.get("parameters")
                    .and_then(Value::as_array)
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name))
            };
            // A body that reads but cannot be carried out (invalid fields, a place outside
            // the area), or a point too far from the walking network.
            let unprocessable =
                op.contains_key("requestBody") || (params_named("lon") && params_named("lat"));
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                let mut codes = vec!["400"];
                if unprocessable {
                    codes.push("422");
                }
                if path.contains('{') {
                    codes.push("404");
                }
                if secured {
                    codes.extend(["401", "403"]);
                }
                for code in codes {
                    responses.entry(code).or_insert_with(|| problem.clone());
                }
            }
            for p in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                // The server reads a list parameter comma-separated, given once (`bbox=1,2,3,4`).
                if p["schema"]["type"] == "array" && p.get("style").is_none() {
                    p["style"] = json!("form");
                    p["explode"] = json!(false);
                }
                let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
                    continue;
                };
                let kind = schema
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let free = !["enum", "const", "pattern", "format", "minLength"]
                    .iter()
                    .any(|k| schema.contains_key(*k));
                if kind == "string"
                    && free
                    && let Some(pattern) = vocabulary_pattern(&name)
                {
                    schema.insert("pattern".into(), json!(pattern));
                    continue;
                }
                match (name.as_str(), kind) {
                    ("If-Match", _) => {
                        // etagc (RFC 9110 §8.8.3): visible ASCII but `"`; the server reads a header
                        // of other bytes as no If-Match (428).
                        schema.insert("pattern".into(), json!("^(W/)?\"[\\x21\\x23-\\x7E]*\"$"));
                    }
                    ("lon", "number") => {
                        schema.entry("minimum").or_insert(json!(-180));
                        schema.entry("maximum").or_insert(json!(180));
                    }
                    ("lat", "number") => {
                        schema.entry("minimum").or_insert(json!(-90));
                        schema.entry("maximum").or_insert(json!(90));
                    }
                    ("crs" | "bbox-crs", "string") if free => {
                        schema.insert("format".into(), json!("uri"));
                        schema.insert("enum".into(), json!(crate::http::crs::Crs::offered_uris()));
                    }
                    ("time_of_day", "string") if free => {
                        schema.insert("enum".into(), json!(["morning", "afternoon", "evening"]));
                    }
                    ("profile", "string") if free => {
                        schema.insert("enum".into(), json!(["walk", "slow", "wheelchair"]));
                    }
                    ("age", "integer") => {
                        schema.entry("minimum").or_insert(json!(0));
                        schema.entry("maximum").or_insert(json!(120));
                    }
                    ("minutes", "integer") => {
                        schema.entry("minimum").or_insert(json!(1));
                        schema.entry("maximum").or_insert(json!(60));
                    }
                    ("limit", "integer") => {
                        schema.entry("minimum").or_insert(json!(1));
                    }
                    ("offset", "integer") => {
                        schema.entry("minimum").or_insert(json!(0));
                    }
                    (_, "integer") => {
                        // The server reads whole numbers as 64-bit integers.
                        schema.entry("minimum").or_insert(json!(i64::MIN));
                        schema.entry("maximum").or_insert(json!(i64::MAX));
                    }
                    (_, "string") if free => {
                        schema.insert("minLength".into(), json!(1));
                    }
                    _ => {}
                }
            }
        }
    }
}
