//! Delimited text as spreadsheets write it (issue 20): the encodings and separators Excel
//! produces when a Norwegian user saves a CSV, detected rather than asked for.
//!
//! - "CSV UTF-8": UTF-8 with a byte order mark; plain UTF-8 from other tools.
//! - "CSV (semikolondelt)": Windows-1252, `;` between fields, decimal commas (`59,74`).
//! - "Unicode-tekst": UTF-16 little-endian with a byte order mark, tab between fields.
//!
//! Decoding uses encoding_rs (the WHATWG tables, as browsers do).

/// The encodings [`decode`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl Encoding {
    /// As an operator knows it.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// Decodes a text file: a UTF-8 or UTF-16 byte order mark decides; without one, UTF-8 when
/// the bytes are UTF-8, else Windows-1252 (what Excel's "CSV (semikolondelt)" writes in
/// Norway: æøå, and the dashes, quotes and € of 0x80–0x9F). Never fails: every byte has a
/// character in Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (
            String::from_utf8_lossy(rest).into_owned(),
            Encoding::Utf8Bom,
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        return (text.into_owned(), Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (text, _) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        return (text.into_owned(), Encoding::Utf16Be);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), Encoding::Utf8),
        Err(_) => (
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Encoding::Windows1252,
        ),
    }
}

/// The field separator of a header line: whichever of tab, `;` and `,` it holds most of,
/// outside double quotes (ties go to `;`, then tab: a Norwegian header rarely holds either
/// by accident).
pub fn delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = *counts.iter().max().expect("three counts");
    if best == 0 {
        return b',';
    }
    [b';', b'\t', b','][counts
        .iter()
        .position(|&n| n == best)
        .expect("the max is there")]
}

/// How a separator is named in a message.
pub fn delimiter_label(d: u8) -> &'static str {
    match d {
        b';' => "\";\"",
        b'\t' => "tab",
        _ => "\",\"",
    }
}

/// A decimal number as spreadsheets write it: `59.74`, `59,74` (decimal comma), with
/// spaces (or no-break spaces) as thousands separators (`10 871,5`). `None` for anything
/// else, including `1.234,5` (ambiguous).
pub fn number(s: &str) -> Option<f64> {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if s.is_empty() {
        return None;
    }
    let s = match (s.contains(','), s.contains('.')) {
        (true, true) => return None,
        (true, false) if s.matches(',').count() == 1 => s.replace(',', "."),
        (true, false) => return None,
        _ => s,
    };
    // Rust also reads `inf`, `NaN` and `1e5`; a spreadsheet cell with those is not a number.
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
    {
        return None;
    }
    s.parse().ok()
}

/// A header cell as compared with known column names: trimmed, lower-case (Unicode, so
/// `Øst` is `øst`), without a BOM left at the start.
pub fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// The position of the first header equal to one of `names` (compared by [`header_key`]).
pub fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| header_key(h) == header_key(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(
            decode(b"Svan\xe5sen"),
            ("Svanåsen".into(), Encoding::Windows1252)
        );
        assert_eq!(decode(b"uke 26 \x96 \x80 50").0, "uke 26 – € 50");
        assert_eq!(decode("Svanåsen".as_bytes()).1, Encoding::Utf8);
        assert_eq!(decode(b"\xEF\xBB\xBFa;b").0, "a;b");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Øst\tnavn".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), ("Øst\tnavn".into(), Encoding::Utf16Le));
    }

    #[test]
    fn delimiters_and_numbers() {
        assert_eq!(delimiter("id;navn;lengdegrad;breddegrad"), b';');
        assert_eq!(delimiter("id,name,lon,lat"), b',');
        assert_eq!(delimiter("id\tnavn\tøst\tnord"), b'\t');
        assert_eq!(delimiter("\"a;b\",c,d"), b',');
        assert_eq!(number("59,7435"), Some(59.7435));
        assert_eq!(number(" 10 871,5 "), Some(10871.5));
        assert_eq!(number("-3.5"), Some(-3.5));
        assert_eq!(number("1.234,5"), None);
        assert_eq!(number("NaN"), None);
        assert_eq!(number("12a"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn headers_match_without_case() {
        let h: Vec<String> = ["\u{feff}ID", "Øst", "Navn"].map(String::from).to_vec();
        assert_eq!(find(&h, &["id"]), Some(0));
        assert_eq!(find(&h, &["øst"]), Some(1));
        assert_eq!(find(&h, &["name", "navn"]), Some(2));
    }
}
