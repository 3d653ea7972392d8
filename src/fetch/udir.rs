//! Schools (NSR) and kindergartens (NBR) from Udir's registers: the kommune's list
//! (`GET {base}/enheter/kommune/{knr}`), then the detail of each active unit
//! (`GET {base}/enhet/{orgnr}`) — only of those whose `DatoEndret` changed since the last
//! fetch; the others come from the cache. At most ten requests a second.
//!
//! Written as `skoler.geojson` / `barnehager.geojson`: Points (lon/lat) with `name`,
//! `orgnr`, `address`, `public` and what residents ask for (school levels, pupils; ages,
//! children). A unit at 0,0 has no position: left out and named in the notes, never a
//! point in the sea. Kindergartens marked `ErEkskludert` are left out.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{Ctx, FetchError, Fetched};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Register {
    /// Nasjonalt skoleregister: schools.
    Nsr,
    /// Nasjonalt barnehageregister: kindergartens.
    Nbr,
}

impl Register {
    fn file(self) -> &'static str {
        match self {
            Register::Nsr => "skoler.geojson",
            Register::Nbr => "barnehager.geojson",
        }
    }

    /// The flag that marks the unit as a school or kindergarten (owners are listed too).
    fn kind_flag(self) -> &'static str {
        match self {
            Register::Nsr => "ErSkole",
            Register::Nbr => "ErBarnehage",
        }
    }
}

fn text(v: &Value, field: &str) -> Option<String> {
    match v.get(field)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(v: &Value, field: &str) -> Option<bool> {
    v.get(field).and_then(Value::as_bool)
}

fn number(v: &Value, field: &str) -> Option<f64> {
    match v.get(field)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

pub(crate) async fn fetch(ctx: &Ctx<'_>, register: Register) -> Result<Fetched, FetchError> {
    let knr = &ctx.opts.kommune;
    let base = match register {
        Register::Nsr => &ctx.opts.endpoints.nsr,
        Register::Nbr => &ctx.opts.endpoints.nbr,
    };
    if let Some(host) = reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    {
        ctx.http.pace_host(&host, Duration::from_millis(100)).await;
    }
    let list_url = format!("{base}/enheter/kommune/{knr}");
    let list: Vec<Value> = ctx.http.get_json(ctx.source, &list_url, &[]).await?;
    let index_path = ctx.cache.join("changed.json");
    let cached: BTreeMap<String, String> = std::fs::read(&index_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut index = BTreeMap::new();
    let mut features = Vec::new();
    let mut notes = Vec::new();
    let (mut unplaced, mut excluded, mut fetched_details) = (Vec::new(), Vec::new(), 0);
    for unit in &list {
        let orgnr = text(unit, "Organisasjonsnummer").ok_or_else(|| {
            ctx.error(
                &list_url,
                "a unit without `Organisasjonsnummer`: has the format changed?",
            )
        })?;
        if flag(unit, "ErAktiv") != Some(true) || flag(unit, register.kind_flag()) != Some(true) {
            continue;
        }
        let changed = text(unit, "DatoEndret").unwrap_or_default();
        let detail_path = ctx.cache.join(format!("{orgnr}.json"));
        let detail_url = format!("{base}/enhet/{orgnr}");
        let reuse = cached.get(&orgnr) == Some(&changed) && detail_path.exists();
        let detail: Value = match reuse
            .then(|| std::fs::read(&detail_path).ok())
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            Some(d) => d,
            None => {
                let bytes = ctx.http.get_bytes(ctx.source, &detail_url, &[]).await?;
                let d: Value = serde_json::from_slice(&bytes)
                    .map_err(|e| ctx.error(&detail_url, format!("the answer is not JSON: {e}")))?;
                std::fs::write(&detail_path, &bytes).map_err(|e| {
                    ctx.error(
                        &detail_url,
                        format!("cannot write {}: {e}", detail_path.display()),
                    )
                })?;
                fetched_details += 1;
                d
            }
        };
        index.insert(orgnr.clone(), changed);
        let name = text(&detail, "Navn")
            .or_else(|| text(unit, "Navn"))
            .ok_or_else(|| ctx.error(&detail_url, "no `Navn`"))?;
        if flag(&detail, "ErEkskludert") == Some(true) {
            excluded.push(name);
            continue;
        }
        let position = detail.get("Koordinat").and_then(|k| {
            let (lon, lat) = (number(k, "Lengdegrad")?, number(k, "Breddegrad")?);
            let real = lon.abs() > 1e-6
                && lat.abs() > 1e-6
                && (-180.0..=180.0).contains(&lon)
                && (-90.0..=90.0).contains(&lat);
            real.then_some((lon, lat))
        });
        let Some((lon, lat)) = position else {
            unplaced.push(name);
            continue;
        };
        let mut props = Map::new();
        props.insert("name".into(), json!(name));
        props.insert("orgnr".into(), json!(orgnr));
        if let Some(a) = detail.get("Beliggenhetsadresse") {
            let line = [
                text(a, "Adresse"),
                match (text(a, "Postnummer"), text(a, "Poststed")) {
                    (Some(n), Some(s)) => Some(format!("{n} {s}")),
                    (n, s) => n.or(s),
                },
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            if !line.is_empty() {
                props.insert("address".into(), json!(line));
            }
        }
        let public = match register {
            Register::Nsr => flag(&detail, "ErOffentligSkole"),
            Register::Nbr => flag(&detail, "ErOffentligBarnehage"),
        };
        if let Some(p) = public {
            props.insert("public".into(), json!(p));
        }
        match register {
            Register::Nsr => {
                let categories: Vec<String> = detail
                    .get("Skolekategorier")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|c| text(c, "Navn")).collect())
                    .unwrap_or_default();
                props.insert(
                    "primary_school".into(),
                    json!(flag(&detail, "ErGrunnskole").unwrap_or(false)),
                );
                props.insert(
                    "upper_secondary".into(),
                    json!(
                        categories
                            .iter()
                            .any(|c| c.to_lowercase().starts_with("videregående"))
                    ),
                );
                props.insert("categories".into(), json!(categories));
                for (from, to) in [
                    ("SkoletrinnGSFra", "grade_from"),
                    ("SkoletrinnGSTil", "grade_to"),
                ] {
                    if let Some(n) = number(&detail, from) {
                        props.insert(to.into(), json!(n as i64));
                    }
                }
                if let Some(n) = number(&detail, "Elevtall") {
                    props.insert("pupils".into(), json!(n as i64));
                }
            }
            Register::Nbr => {
                for (from, to) in [
                    ("AlderstrinnFra", "age_from"),
                    ("AlderstrinnTil", "age_to"),
                    ("AntallBarn", "children"),
                ] {
                    if let Some(n) = number(&detail, from) {
                        props.insert(to.into(), json!(n as i64));
                    }
                }
            }
        }
        features.push(json!({
            "type": "Feature",
            "id": orgnr,
            "geometry": { "type": "Point", "coordinates": [lon, lat] },
            "properties": props,
        }));
    }
    if !unplaced.is_empty() {
        notes.push(format!(
            "{} without a position in the register (left out): {}",
            unplaced.len(),
            unplaced.join(", ")
        ));
    }
    if !excluded.is_empty() {
        notes.push(format!(
            "{} marked excluded (left out): {}",
            excluded.len(),
            excluded.join(", ")
        ));
    }
    notes.push(format!(
        "{} units; {fetched_details} details fetched, the others unchanged",
        features.len()
    ));
    let collection = json!({ "type": "FeatureCollection", "features": features });
    let file = ctx.write(
        register.file(),
        collection.to_string().as_bytes(),
        &list_url,
    )?;
    // The cache index is written last: a run that fails fetches the same details again.
    let _ = std::fs::write(
        &index_path,
        serde_json::to_vec(&index).expect("a map serialises"),
    );
    Ok(Fetched {
        files: vec![file],
        urls: vec![list_url, format!("{base}/enhet/{{orgnr}}")],
        notes,
    })
}
