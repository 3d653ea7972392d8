//! Residents per area from Statistics Norway (SSB) StatBank CSV exports, e.g. table 04317
//! "Befolkning, etter grunnkrets" or 07459 per kommune.
//!
//! SSB's exports come in a few shapes, all read here: semicolon- or comma-separated, quoted;
//! an optional title line and blank line before the header; UTF-8 (with or without BOM) or
//! Windows-1252; years as rows (a column `år`/`year`/`tid`) or as columns (`2023`, `2024`).
//! The first column is the area, `CODE Name` ("34200104 Svanåsen"). The latest year with a
//! number is kept per area. SSB's symbols for "no figure" (`.`, `..`, `:`, `-`) skip that
//! cell; any other non-number is an error with its line.

use std::collections::BTreeMap;
use std::path::Path;

use super::{ImportError, read_file};
use crate::domain::AreaPopulation;

/// Splits one line into fields: `delimiter`-separated, fields optionally in double quotes
/// (`""` inside quotes is a quote).
fn fields(line: &str, delimiter: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out.into_iter().map(|f| f.trim().to_string()).collect()
}

fn is_missing(v: &str) -> bool {
    matches!(v, "" | "." | ".." | "..." | ":" | "-")
}

/// Reads the file; every area once, with its latest year.
pub fn read(path: &Path) -> Result<Vec<AreaPopulation>, ImportError> {
    let (text, _) = super::text::decode(&read_file(path)?);
    let lines: Vec<&str> = text.lines().collect();
    let starts_with_code = |line: &str, d: char| {
        fields(line, d)
            .first()
            .is_some_and(|f| f.starts_with(|c: char| c.is_ascii_digit()))
    };
    // The header is the line just before the first line that starts with an area code.
    let mut header_at = None;
    for (i, line) in lines.iter().enumerate() {
        let d = if line.contains(';') { ';' } else { ',' };
        if i > 0 && starts_with_code(line, d) && !lines[i - 1].trim().is_empty() {
            header_at = Some(i - 1);
            break;
        }
    }
    let Some(h) = header_at else {
        return Err(ImportError::file(
            path,
            "no header followed by rows that start with an area code (\"34200104 Svanåsen\"); \
             is this an SSB StatBank CSV export?",
        ));
    };
    let delimiter = if lines[h].contains(';') { ';' } else { ',' };
    let header = fields(lines[h], delimiter);
    if header.len() < 2 {
        return Err(ImportError::line(
            path,
            h as u64 + 1,
            "the header has fewer than two columns",
        ));
    }
    let lower: Vec<String> = header.iter().map(|s| s.to_lowercase()).collect();
    let year_column = lower
        .iter()
        .position(|c| matches!(c.as_str(), "år" | "year" | "tid" | "time"));
    let year_columns: Vec<(usize, i32)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            c.split_whitespace()
                .filter(|t| t.len() == 4)
                .find_map(|t| t.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y)))
                .map(|y| (i, y))
        })
        .collect();
    let variable_column = lower
        .iter()
        .position(|c| c.contains("statistikkvariabel") || c == "contents");

    // (code) -> (year, persons, name, line)
    let mut best: BTreeMap<String, (Option<i32>, i64, Option<String>, u64)> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate().skip(h + 1) {
        let n = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let row = fields(line, delimiter);
        if row.len() != header.len() {
            return Err(ImportError::line(
                path,
                n,
                format!(
                    "has {} fields where the header has {}",
                    row.len(),
                    header.len()
                ),
            ));
        }
        if let Some(v) = variable_column {
            let var = row[v].to_lowercase();
            if !(var.contains("person")
                || var.contains("folkemengde")
                || var.contains("befolkning"))
            {
                continue;
            }
        }
        let area = &row[0];
        let code: String = area.chars().take_while(|c| c.is_ascii_digit()).collect();
        if code.is_empty() {
            return Err(ImportError::line(
                path,
                n,
                format!("{area:?} does not start with an area code"),
            ));
        }
        let name = area[code.len()..]
            .trim()
            .trim_start_matches(['-', ':'])
            .trim();
        let name = (!name.is_empty()).then(|| name.to_string());
        let number = |v: &str| -> Result<Option<i64>, ImportError> {
            if is_missing(v) {
                return Ok(None);
            }
            let cleaned: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            cleaned
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .map(Some)
                .ok_or_else(|| {
                    ImportError::line(path, n, format!("{v:?} is not a number of residents"))
                })
        };
        let candidates: Vec<(Option<i32>, Option<i64>)> = if let Some(yc) = year_column {
            let year = row[yc]
                .parse::<i32>()
                .map_err(|_| ImportError::line(path, n, format!("{:?} is not a year", row[yc])))?;
            vec![(Some(year), number(row.last().expect("two or more fields"))?)]
        } else if !year_columns.is_empty() {
            year_columns
                .iter()
                .map(|&(c, y)| Ok((Some(y), number(&row[c])?)))
                .collect::<Result<_, ImportError>>()?
        } else {
            vec![(None, number(row.last().expect("two or more fields"))?)]
        };
        for (year, persons) in candidates {
            let Some(persons) = persons else { continue };
            match best.get(&code) {
                Some((y, _, _, first)) if *y == year => {
                    return Err(ImportError::line(
                        path,
                        n,
                        format!(
                            "area {code} appears twice for {} (first on line {first})",
                            year.map(|y| y.to_string())
                                .unwrap_or("the same year".into())
                        ),
                    ));
                }
                Some((y, ..)) if *y > year => {}
                _ => {
                    best.insert(code.clone(), (year, persons, name.clone(), n));
                }
            }
        }
    }
    if best.is_empty() {
        return Err(ImportError::file(path, "holds no population figures"));
    }
    Ok(best
        .into_iter()
        .map(|(code, (year, persons, name, _))| AreaPopulation {
            code,
            name,
            year,
            persons,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_quotes() {
        assert_eq!(
            fields(r#""34200104 Svanåsen";"2024";"1 234""#, ';'),
            ["34200104 Svanåsen", "2024", "1 234"]
        );
        assert_eq!(
            fields(r#"a,"b, c","d ""e""""#, ','),
            ["a", "b, c", r#"d "e""#]
        );
    }
}
