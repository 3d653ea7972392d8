//! Residents per grunnkrets from SSB table 04317 through PxWebApi v2, the latest year
//! (`valueCodes[Tid]=top(1)`), as JSON-stat 2.0: values in row-major order over the
//! dimensions in `id`, a missing cell `null` (its symbol in `status`). At most 30
//! requests a minute to SSB (its limit). Written as `befolkning-04317.csv` in the shape
//! of SSB's own CSV export, which `naermiljo import population` reads:
//! `"region";"år";"Personer"` and `"33010101 Bragernes";"2025";"812"` (`.` for no figure).
//! Codes ending in `0000` or `9999` ("uoppgitt") have no polygon: left out and counted.

use std::time::Duration;

use serde_json::Value;

use super::{Ctx, FetchError, Fetched};

pub const FILE: &str = "befolkning-04317.csv";
const AREA: &str = "Grunnkretser";
const TIME: &str = "Tid";

/// One area's figure: code, name, year, residents (`None`: no figure).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub code: String,
    pub name: String,
    pub year: String,
    pub residents: Option<f64>,
}

/// The cells of a JSON-stat 2.0 dataset over `AREA` × … × `TIME`; the first category of
/// any other dimension. A shape that differs names the field.
pub(crate) fn read_jsonstat(v: &Value) -> Result<Vec<Cell>, String> {
    let ids: Vec<&str> = v["id"]
        .as_array()
        .ok_or("no `id` array: not JSON-stat 2.0")?
        .iter()
        .map(|s| s.as_str().unwrap_or_default())
        .collect();
    let sizes: Vec<usize> = v["size"]
        .as_array()
        .ok_or("no `size` array: not JSON-stat 2.0")?
        .iter()
        .map(|n| n.as_u64().unwrap_or(0) as usize)
        .collect();
    if ids.len() != sizes.len() {
        return Err("`id` and `size` differ in length".into());
    }
    let dim = |name: &str| {
        ids.iter().position(|d| *d == name).ok_or_else(|| {
            format!(
                "no dimension {name:?} (dimensions: {}): has the table changed?",
                ids.join(", ")
            )
        })
    };
    let (area, time) = (dim(AREA)?, dim(TIME)?);
    // Each category's position in its dimension, in order.
    let categories = |d: usize| -> Result<Vec<(String, String)>, String> {
        let cat = &v["dimension"][ids[d]]["category"];
        let index = cat["index"]
            .as_object()
            .ok_or_else(|| format!("dimension {} has no category index", ids[d]))?;
        let mut codes: Vec<(usize, String)> = index
            .iter()
            .map(|(code, i)| (i.as_u64().unwrap_or(0) as usize, code.clone()))
            .collect();
        codes.sort();
        Ok(codes
            .into_iter()
            .map(|(_, code)| {
                let label = cat["label"][&code].as_str().unwrap_or(&code).to_string();
                (code, label)
            })
            .collect())
    };
    let areas = categories(area)?;
    let times = categories(time)?;
    let values = v["value"].as_array().ok_or("no `value` array")?;
    let total: usize = sizes.iter().product();
    if values.len() != total {
        return Err(format!(
            "{} values for a table of {total} cells",
            values.len()
        ));
    }
    // Row-major: the last dimension varies fastest.
    let mut strides = vec![1usize; sizes.len()];
    for d in (0..sizes.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * sizes[d + 1];
    }
    let mut out = Vec::new();
    for (ai, (code, label)) in areas.iter().enumerate() {
        // The latest year with a figure.
        let cell = (0..times.len()).rev().find_map(|ti| {
            let at = ai * strides[area] + ti * strides[time];
            values[at].as_f64().map(|x| (ti, Some(x)))
        });
        let (ti, residents) = cell.unwrap_or((times.len().saturating_sub(1), None));
        let name = label
            .strip_prefix(code.as_str())
            .map(str::trim)
            .unwrap_or(label)
            .to_string();
        out.push(Cell {
            code: code.clone(),
            name,
            year: times.get(ti).map(|t| t.0.clone()).unwrap_or_default(),
            residents,
        });
    }
    Ok(out)
}

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let knr = &ctx.opts.kommune;
    let base = &ctx.opts.endpoints.ssb;
    if let Some(host) = reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    {
        ctx.http.pace_host(&host, Duration::from_secs(2)).await;
    }
    let url = format!(
        "{base}/tables/04317/data?lang=no&outputFormat=json-stat2&codelist[{AREA}]=agg_GrkretsNy\
         &valueCodes[{AREA}]={knr}*&valueCodes[ContentsCode]=*&valueCodes[{TIME}]=top(1)"
    );
    let v: Value = ctx.http.get_json(ctx.source, &url, &[]).await?;
    let cells = read_jsonstat(&v).map_err(|r| ctx.error(&url, r))?;
    let (mut kept, mut unknown_area, mut no_figure) = (Vec::new(), 0.0, 0);
    for c in cells {
        if !c.code.starts_with(knr.as_str()) {
            continue;
        }
        if c.code.ends_with("0000") || c.code.ends_with("9999") {
            unknown_area += c.residents.unwrap_or(0.0);
            continue;
        }
        if c.residents.is_none() {
            no_figure += 1;
        }
        kept.push(c);
    }
    if kept.is_empty() {
        return Err(ctx.error(
            &url,
            format!("no grunnkrets of kommune {knr} in the answer"),
        ));
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("\"region\";\"år\";\"Personer\"\n");
    for c in &kept {
        csv.push_str(&format!(
            "{};{};{}\n",
            quote(&format!("{} {}", c.code, c.name)),
            quote(&c.year),
            quote(&c.residents.map_or(".".to_string(), |r| format!("{r}")))
        ));
    }
    let year = kept.first().map(|c| c.year.clone()).unwrap_or_default();
    let total: f64 = kept.iter().filter_map(|c| c.residents).sum();
    let mut notes = vec![format!(
        "{} grunnkretser, {total} residents, {year}",
        kept.len()
    )];
    if unknown_area > 0.0 {
        notes.push(format!(
            "{unknown_area} residents in no grunnkrets (uoppgitt): no polygon, left out"
        ));
    }
    if no_figure > 0 {
        notes.push(format!(
            "{no_figure} grunnkretser without a figure (SSB symbol)"
        ));
    }
    let file = ctx.write(FILE, csv.as_bytes(), &url)?;
    Ok(Fetched {
        files: vec![file],
        urls: vec![url],
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_cells_with_a_null() {
        let v = serde_json::json!({
            "version": "2.0", "class": "dataset",
            "id": ["Grunnkretser", "ContentsCode", "Tid"], "size": [2, 1, 2],
            "dimension": {
                "Grunnkretser": { "category": { "index": { "33010101": 0, "33010102": 1 },
                    "label": { "33010101": "33010101 Bragernes", "33010102": "Øren" } } },
                "ContentsCode": { "category": { "index": { "Personer1": 0 } } },
                "Tid": { "category": { "index": { "2024": 0, "2025": 1 } } }
            },
            "value": [800, 812, 400, null], "status": { "3": "." }
        });
        let cells = read_jsonstat(&v).unwrap();
        assert_eq!(cells[0].residents, Some(812.0));
        assert_eq!(
            (cells[0].name.as_str(), cells[0].year.as_str()),
            ("Bragernes", "2025")
        );
        // The latest year without a figure: the year before that has one.
        assert_eq!(
            (cells[1].residents, cells[1].year.as_str()),
            (Some(400.0), "2024")
        );
        let mut bad = v.clone();
        bad["id"][0] = "Region".into();
        assert!(
            read_jsonstat(&bad)
                .unwrap_err()
                .contains("no dimension \"Grunnkretser\"")
        );
    }
}
