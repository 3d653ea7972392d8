//! Coverage tables as files (issue 21 items 6–8), the same bytes from the CLI and the API:
//! JSON (the table, with `total` and what was asked as their own members), CSV (a row per
//! district, then a row `total` unless left out; what was asked in the last columns, so a
//! spreadsheet keeps it), and GeoJSON (the districts' polygons with flat number properties
//! that QGIS styles by, `total` and what was asked as foreign members of the collection,
//! RFC 7946 §6.1).

use super::{Coverage, DistrictCoverage};

/// How a CSV is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvDialect {
    /// RFC 4180: `,` between fields, `.` in numbers, UTF-8, LF.
    #[default]
    Standard,
    /// What Norwegian Excel opens by double-click: `;`, decimal commas, UTF-8 with a byte
    /// order mark, CRLF.
    ExcelNb,
}

impl CsvDialect {
    pub fn parse(s: &str) -> Option<CsvDialect> {
        match s {
            "standard" => Some(CsvDialect::Standard),
            "excel-nb" => Some(CsvDialect::ExcelNb),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub dialect: CsvDialect,
    /// The last row, `total` in `district_id`.
    pub total: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            dialect: CsvDialect::Standard,
            total: true,
        }
    }
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv(CsvOptions),
    Geojson,
}

/// A rendered table: its media type, a file name that says what it holds, and the bytes.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub content_type: &'static str,
    pub file_name: String,
    pub body: String,
}

enum Cell {
    Text(String),
    Number(String),
}

const COLUMNS: [&str; 23] = [
    "district_id",
    "district",
    "addresses",
    "covered",
    "share",
    "median_s",
    "p90_s",
    "population",
    "residents_covered",
    "resident_share",
    "level",
    "code",
    "parent_id",
    "population_sum",
    "suppressed",
    "unreachable",
    "kind",
    "category",
    "nature",
    "minutes",
    "profile",
    "open_at",
    "data_version",
];

fn row(c: &Coverage, d: &DistrictCoverage, total: bool) -> Vec<Cell> {
    let text = |s: Option<&str>| Cell::Text(s.unwrap_or_default().to_string());
    let number = |s: String| Cell::Number(s);
    let opt = |v: Option<f64>, decimals: usize| {
        Cell::Number(v.map(|v| format!("{v:.decimals$}")).unwrap_or_default())
    };
    vec![
        if total {
            Cell::Text("total".into())
        } else {
            text(d.district_id.as_deref())
        },
        if total {
            Cell::Text(String::new())
        } else {
            text(Some(d.district.as_deref().unwrap_or("(no district)")))
        },
        number(d.addresses.to_string()),
        number(d.covered.to_string()),
        opt(d.share, 4),
        opt(d.median_s, 1),
        opt(d.p90_s, 1),
        number(d.population.map(|p| p.to_string()).unwrap_or_default()),
        opt(d.residents_covered, 0),
        opt(d.resident_share, 4),
        text(d.level.as_deref()),
        text(d.code.as_deref()),
        text(d.parent_id.as_deref()),
        Cell::Text(d.population_sum.to_string()),
        Cell::Text(d.suppressed.to_string()),
        number(d.unreachable.to_string()),
        text(c.about.kind.as_deref()),
        text(c.about.category.as_deref()),
        text(c.about.nature.as_deref()),
        number(c.minutes.to_string()),
        Cell::Text(c.profile.to_string()),
        text(c.about.open_at.as_deref()),
        number(c.about.data_version.to_string()),
    ]
}

/// The table as CSV: the header, one row per district, and unless `options.total` is off a
/// last row whose `district_id` is `total`.
pub fn csv(c: &Coverage, options: CsvOptions) -> String {
    let (separator, decimal, newline, bom) = match options.dialect {
        CsvDialect::Standard => (',', '.', "\n", ""),
        CsvDialect::ExcelNb => (';', ',', "\r\n", "\u{feff}"),
    };
    let quote = |s: &str| {
        if s.contains([separator, '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from(bom);
    out.push_str(&COLUMNS.join(&separator.to_string()));
    out.push_str(newline);
    let rows = c
        .districts
        .iter()
        .map(|d| (d, false))
        .chain(options.total.then_some((&c.total, true)));
    for (d, total) in rows {
        let cells: Vec<String> = row(c, d, total)
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(s) => quote(&s),
                Cell::Number(s) => s.replace('.', &decimal.to_string()),
            })
            .collect();
        out.push_str(&cells.join(&separator.to_string()));
        out.push_str(newline);
    }
    out
}

/// A district's row as flat GeoJSON properties: numbers as numbers (null where none).
fn properties(c: &Coverage, d: &DistrictCoverage) -> serde_json::Value {
    serde_json::json!({
        "district_id": d.district_id,
        "district": d.district,
        "level": d.level,
        "code": d.code,
        "parent_id": d.parent_id,
        "addresses": d.addresses,
        "covered": d.covered,
        "share": d.share,
        "unreachable": d.unreachable,
        "median_s": d.median_s,
        "p90_s": d.p90_s,
        "population": d.population,
        "residents_covered": d.residents_covered.map(f64::round),
        "resident_share": d.resident_share,
        "population_sum": d.population_sum,
        "suppressed": d.suppressed,
        "kind": c.about.kind,
        "category": c.about.category,
        "nature": c.about.nature,
        "minutes": c.minutes,
        "profile": c.profile,
        "open_at": c.about.open_at,
        "data_version": c.about.data_version,
    })
}

/// The table in `format`; GeoJSON takes each district's polygon from the snapshot.
pub fn render(c: &Coverage, s: &crate::index::Snapshot, format: Format) -> Rendered {
    let (content_type, extension, body) = match format {
        Format::Json => (
            "application/json",
            "json",
            serde_json::to_string(c).expect("a table always serialises"),
        ),
        Format::Csv(options) => ("text/csv; charset=utf-8", "csv", csv(c, options)),
        Format::Geojson => {
            let features: Vec<serde_json::Value> = c
                .districts
                .iter()
                .filter_map(|row| {
                    let i = s.district(row.district_id.as_deref()?)?;
                    let mut feature: serde_json::Value =
                        serde_json::from_str(s.district_json(i)).ok()?;
                    feature["properties"] = properties(c, row);
                    Some(feature)
                })
                .collect();
            let mut collection = serde_json::json!({
                "type": "FeatureCollection",
                "features": features,
                "total": properties(c, &c.total),
            });
            for (k, v) in serde_json::to_value(&c.about)
                .expect("serialises")
                .as_object()
                .expect("an object")
            {
                collection[k] = v.clone();
            }
            collection["minutes"] = c.minutes.into();
            collection["profile"] = c.profile.into();
            collection["level"] = c.level.clone().into();
            ("application/geo+json", "geojson", collection.to_string())
        }
    };
    Rendered {
        content_type,
        file_name: file_name(c, extension),
        body,
    }
}

/// `coverage-school-10min-walk-grunnkrets.csv`: what the file holds, so that two downloads
/// are told apart; only `[a-z0-9_-]` and the dot.
fn file_name(c: &Coverage, extension: &str) -> String {
    let what = c
        .about
        .kind
        .as_deref()
        .or(c.about.category.as_deref())
        .or(c.about.nature.as_deref())
        .unwrap_or("coverage");
    let mut parts = vec![
        "coverage".to_string(),
        what.replace(',', "+"),
        format!("{}min", c.minutes),
        c.profile.to_string(),
    ];
    if let Some(level) = &c.level {
        parts.push(level.clone());
    }
    if let Some(at) = &c.about.open_at {
        parts.push(format!("open-{}", at.get(..16).unwrap_or(at)));
    }
    let name: String = parts
        .join("-")
        .chars()
        .map(|ch| match ch.to_ascii_lowercase() {
            ch @ ('a'..='z' | '0'..='9' | '_' | '-' | '+') => ch,
            _ => '-',
        })
        .collect();
    format!("{name}.{extension}")
}
