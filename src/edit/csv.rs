//! A season's activities from one CSV file, as organisations keep them in a spreadsheet:
//! every row read and validated before any is written, then all written in one
//! transaction through the store's `write_items` (owner, audit), or none. Errors name the
//! row (the file's line) and the column.
//!
//! The format: a header row with the column names below (any order; unknown columns are
//! an error, missing optional ones are empty), `;` or `,` between fields (Excel in Norway
//! writes `;`), UTF-8 (with or without BOM) or Windows-1252. Lists inside a field are
//! separated by `,` (quote the field when the file uses `,`). Sessions are written as
//! `tir 17:00-18:30, tor 17:00-18:30` (weekday as `1`–`7`, Monday = 1, or its Norwegian or
//! English name or abbreviation). Dates are `YYYY-MM-DD`.

use serde_json::{Map, Value, json};

use super::{EditError, validate};
use crate::domain::activity::FieldError;
use crate::index::Snapshot;
use crate::store::Store;
use crate::store::editing::{Actor, BatchOutcome, ItemCollection, ItemWrite, Role};

/// The columns, in the template's order.
pub const COLUMNS: [&str; 18] = [
    "title",
    "description",
    "category",
    "age_min",
    "age_max",
    "price_nok",
    "price_note",
    "facility_id",
    "lon",
    "lat",
    "sessions",
    "valid_from",
    "valid_to",
    "exceptions",
    "languages",
    "accessibility",
    "signup_url",
    "contact",
];

/// A template to fill in: the header and one example row, `;`-separated, UTF-8 with a BOM
/// so that Excel opens it with æ, ø and å.
pub fn template() -> String {
    let example = [
        "Fotballtrening G12",
        "For alle mellom 10 og 12, ingen erfaring trengs.",
        "sport",
        "10",
        "12",
        "0",
        "",
        "",
        "10.2045",
        "59.7441",
        "tir 17:00-18:30, tor 17:00-18:30",
        "2026-08-18",
        "2026-12-10",
        "2026-10-06, 2026-10-08",
        "nb, en",
        "wheelchair",
        "https://example.org/pamelding",
        "post@example.org",
    ];
    format!("\u{feff}{}\r\n{}\r\n", COLUMNS.join(";"), example.join(";"))
}

/// A problem in the file: its line (1 is the header), the column, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvError {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

/// Why an upload wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{} problems in the file", .0.len())]
    Rows(Vec<CsvError>),
    #[error(transparent)]
    Edit(#[from] EditError),
}

fn weekday(s: &str) -> Option<u8> {
    const NAMES: [[&str; 4]; 7] = [
        ["man", "mandag", "mon", "monday"],
        ["tir", "tirsdag", "tue", "tuesday"],
        ["ons", "onsdag", "wed", "wednesday"],
        ["tor", "torsdag", "thu", "thursday"],
        ["fre", "fredag", "fri", "friday"],
        ["lør", "lørdag", "sat", "saturday"],
        ["søn", "søndag", "sun", "sunday"],
    ];
    let s = s.trim().trim_end_matches('.').to_lowercase();
    s.parse::<u8>()
        .ok()
        .filter(|d| (1..=7).contains(d))
        .or_else(|| {
            NAMES
                .iter()
                .position(|names| names.contains(&s.as_str()))
                .map(|i| i as u8 + 1)
        })
}

/// `tir 17:00-18:30, tor 17:00-18:30` → sessions, or why not.
fn sessions(s: &str) -> Result<Vec<Value>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (day, times) = part.split_once(char::is_whitespace).ok_or_else(|| {
                format!("{part:?}: write a weekday and a time, e.g. \"tir 17:00-18:30\"")
            })?;
            let day = weekday(day).ok_or_else(|| format!("{day:?} is not a weekday"))?;
            let (start, end) = times
                .trim()
                .split_once(['-', '–'])
                .ok_or_else(|| format!("{times:?}: write start-end, e.g. 17:00-18:30"))?;
            Ok(json!({ "weekday": day, "start": start.trim(), "end": end.trim() }))
        })
        .collect()
}

fn list(s: &str) -> Vec<Value> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| Value::String(x.to_string()))
        .collect()
}

/// One row of the file as an activity's fields (as the API takes them), with its line.
pub type Row = (usize, Map<String, Value>);

/// Reads the file into activity documents, one per row with its line. Every problem of
/// every row is returned, not just the first.
pub fn read(bytes: &[u8]) -> Result<Vec<Row>, Vec<CsvError>> {
    let (text, _) = crate::import::text::decode(bytes);
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.matches(';').count() >= header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let err = |row: usize, column: &str, reason: String| CsvError {
        row,
        column: column.into(),
        reason,
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => return Err(vec![err(1, "", format!("not CSV: {e}"))]),
    };
    let mut errors = Vec::new();
    for h in &headers {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(err(
                1,
                h,
                format!("unknown column; columns: {}", COLUMNS.join(", ")),
            ));
        }
    }
    for required in ["title", "category", "sessions"] {
        if !headers.iter().any(|h| h == required) {
            errors.push(err(1, required, "this column is required".into()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(line, "", format!("cannot be read: {e}")));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() > headers.len() {
            errors.push(err(
                line,
                "",
                format!("{} fields, the header has {}", record.len(), headers.len()),
            ));
            continue;
        }
        let cell = |name: &str| -> &str {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .unwrap_or("")
        };
        let mut doc = Map::new();
        let number = |name: &str, doc: &mut Map<String, Value>, errors: &mut Vec<CsvError>| {
            let v = cell(name).replace(',', ".");
            if v.is_empty() {
                return;
            }
            match v.parse::<f64>() {
                Ok(n) if n.fract() == 0.0 && name != "price_nok" => {
                    doc.insert(name.into(), json!(n as i64));
                }
                Ok(n) => {
                    doc.insert(name.into(), json!(n));
                }
                Err(_) => errors.push(err(line, name, format!("{v:?} is not a number"))),
            }
        };
        for name in [
            "title",
            "description",
            "category",
            "price_note",
            "signup_url",
            "contact",
        ] {
            if !cell(name).is_empty() {
                doc.insert(name.into(), Value::String(cell(name).to_string()));
            }
        }
        let category = cell("category");
        if crate::domain::activity::Category::parse(category).is_none() {
            errors.push(err(
                line,
                "category",
                format!(
                    "{category:?} is not a category; categories: {}",
                    crate::domain::activity::Category::ALL
                        .map(|c| c.as_str())
                        .join(", ")
                ),
            ));
        }
        for name in ["age_min", "age_max", "price_nok"] {
            number(name, &mut doc, &mut errors);
        }
        if !doc.contains_key("price_nok") {
            doc.insert("price_nok".into(), json!(0));
        }
        let place = match (cell("facility_id"), cell("lon"), cell("lat")) {
            (f, "", "") if !f.is_empty() => match f.parse::<i64>() {
                Ok(id) => Some(json!({ "facility_id": id })),
                Err(_) => {
                    errors.push(err(
                        line,
                        "facility_id",
                        format!("{f:?} is not a facility id"),
                    ));
                    None
                }
            },
            ("", lon, lat) if !lon.is_empty() && !lat.is_empty() => {
                match (
                    lon.replace(',', ".").parse::<f64>(),
                    lat.replace(',', ".").parse::<f64>(),
                ) {
                    (Ok(lon), Ok(lat)) => Some(json!({ "lon": lon, "lat": lat })),
                    _ => {
                        errors.push(err(
                            line,
                            "lon",
                            format!("{lon:?}, {lat:?} is not a position"),
                        ));
                        None
                    }
                }
            }
            _ => {
                errors.push(err(
                    line,
                    "facility_id",
                    "give facility_id, or lon and lat".into(),
                ));
                None
            }
        };
        if let Some(p) = place {
            doc.insert("place".into(), p);
        }
        let mut schedule = Map::new();
        match sessions(cell("sessions")) {
            Ok(s) if !s.is_empty() => {
                schedule.insert("sessions".into(), Value::Array(s));
            }
            Ok(_) => errors.push(err(line, "sessions", "at least one session".into())),
            Err(reason) => errors.push(err(line, "sessions", reason)),
        }
        for name in ["valid_from", "valid_to"] {
            if !cell(name).is_empty() {
                schedule.insert(name.into(), Value::String(cell(name).to_string()));
            }
        }
        let exceptions = list(cell("exceptions"));
        if !exceptions.is_empty() {
            schedule.insert("exceptions".into(), Value::Array(exceptions));
        }
        doc.insert("schedule".into(), Value::Object(schedule));
        for name in ["languages", "accessibility"] {
            let l = list(cell(name));
            if !l.is_empty() {
                doc.insert(name.into(), Value::Array(l));
            }
        }
        rows.push((line, doc));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(vec![err(2, "", "the file has no activities".into())]);
    }
    Ok(rows)
}

/// The column a document field's error belongs to.
fn column_of(field: &str) -> String {
    let head = field.split(['.', '[']).next().unwrap_or(field);
    match head {
        "schedule" => ["valid_from", "valid_to", "exceptions"]
            .into_iter()
            .find(|c| field.contains(c))
            .unwrap_or("sessions")
            .to_string(),
        "place" if field.contains("facility") => "facility_id".into(),
        "place" => "lon".into(),
        "body" => String::new(),
        other => other.to_string(),
    }
}

/// Validates every row against the snapshot, then writes them all as new activities of
/// `org_id` in one transaction, or none. Returns the new ids, in the file's order.
pub async fn upload(
    store: &dyn Store,
    snapshot: &Snapshot,
    actor: &Actor,
    org_id: i64,
    bytes: &[u8],
) -> Result<Vec<i64>, UploadError> {
    if actor.role == Role::Editor && actor.org_id != org_id {
        return Err(
            EditError::Forbidden("an editor writes only for its own organisation".into()).into(),
        );
    }
    let rows = read(bytes).map_err(UploadError::Rows)?;
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for (line, fields) in rows {
        match validate(ItemCollection::Activities, snapshot, fields) {
            Ok((doc, _)) => writes.push(ItemWrite::Create {
                org_id,
                example: false,
                doc,
                valid_until: None,
            }),
            Err(EditError::Invalid(field_errors)) => errors.extend(field_errors.into_iter().map(
                |FieldError { field, reason }| CsvError {
                    row: line,
                    column: column_of(&field),
                    reason: if column_of(&field).is_empty() {
                        reason
                    } else {
                        format!("{field}: {reason}")
                    },
                },
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return Err(UploadError::Rows(errors));
    }
    match store
        .write_items(ItemCollection::Activities, actor, writes)
        .await
        .map_err(EditError::Store)?
    {
        BatchOutcome::Done { items, .. } => Ok(items.into_iter().map(|(id, _)| id).collect()),
        BatchOutcome::Refused { .. } => Err(EditError::Forbidden(
            "this organisation's activities cannot be written by you".into(),
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_as_one_activity() {
        let rows = read(template().as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        let (line, doc) = &rows[0];
        assert_eq!(*line, 2);
        assert_eq!(doc["title"], "Fotballtrening G12");
        assert_eq!(
            doc["schedule"]["sessions"][1],
            json!({ "weekday": 4, "start": "17:00", "end": "18:30" })
        );
        assert_eq!(doc["place"], json!({ "lon": 10.2045, "lat": 59.7441 }));
        assert_eq!(doc["languages"], json!(["nb", "en"]));
        assert_eq!(doc["age_min"], json!(10));
    }

    #[test]
    fn excel_files_in_windows_1252_with_commas_and_every_problem_listed() {
        // Windows-1252: "Lørdagskafé" with ø = 0xF8, é = 0xE9; fields separated by commas.
        let mut bytes = b"title,category,sessions,facility_id\r\nL\xF8rdagskaf\xE9,meeting_place,\"l\xF8r 11:00-14:00\",7\r\n".to_vec();
        let rows = read(&bytes).unwrap();
        assert_eq!(rows[0].1["title"], "Lørdagskafé");
        assert_eq!(rows[0].1["schedule"]["sessions"][0]["weekday"], 6);
        bytes.extend_from_slice(b"Kor,music,onsdag kl 18,x\r\nSjakk,games_tech,,\r\n");
        let errors = read(&bytes).unwrap_err();
        let at: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            at,
            vec![
                (3, "facility_id"),
                (3, "sessions"),
                (4, "facility_id"),
                (4, "sessions")
            ]
        );
        let unknown = read(b"title;category;sessions;colour\n").unwrap_err();
        assert_eq!((unknown[0].row, unknown[0].column.as_str()), (1, "colour"));
    }

    #[test]
    fn weekdays_in_norwegian_and_english() {
        for (s, d) in [
            ("man", 1),
            ("Tirsdag", 2),
            ("ons.", 3),
            ("thu", 4),
            ("5", 5),
            ("lørdag", 6),
            ("Sunday", 7),
        ] {
            assert_eq!(weekday(s), Some(d), "{s}");
        }
        assert_eq!(weekday("8"), None);
        assert_eq!(column_of("schedule.sessions[0].start"), "sessions");
        assert_eq!(column_of("schedule.valid_to"), "valid_to");
        assert_eq!(column_of("place.facility_id"), "facility_id");
    }
}
