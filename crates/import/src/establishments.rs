//! `waymark import establishments FILE.csv`: the GIAS "all establishments" extract
//! (get-information-schools.service.gov.uk, Downloads, "Establishment fields"), for the names of
//! schools and settings and of their local authorities. Only the columns below are read; the extract's
//! other columns (there are over 100) are ignored. GIAS publishes the file in Windows-1252: bytes that
//! are not UTF-8 are read as Windows-1252's Latin letters. All or nothing: every row is checked first,
//! and a file with any problem is refused whole with each problem's line, column and value.

use crate::error::{ImportError, Rejection, RowError};
use std::io::Read;
use std::path::Path;
use waymark_domain::identifiers::{LaCode, Urn};
use waymark_storage::{Actor, Establishment, EstablishmentCounts, EstablishmentStore};

/// The dataset's name on the command line.
pub const NAME: &str = "establishments";

/// The columns read: (header in the GIAS extract, required, meaning).
pub const COLUMNS: [(&str, bool, &str); 8] = [
    ("URN", true, "The establishment's Unique Reference Number: up to 6 digits."),
    ("EstablishmentName", true, "Its name, as shown on pages (at most 200 characters)."),
    ("LA (code)", true, "The DfE number of the local authority whose area it is in (3 digits)."),
    ("LA (name)", true, "That local authority's name."),
    ("TypeOfEstablishment (name)", true, "Its type, e.g. Community school, Academy special converter."),
    ("PhaseOfEducation (name)", true, "Its phase, e.g. Primary, Secondary, Not applicable."),
    ("Postcode", false, "Its postcode (may be blank)."),
    ("EstablishmentStatus (name)", true, "Open, Closed, Open but proposed to close, Proposed to open."),
];

/// This format's section of `docs/import-formats.md`.
pub fn format_markdown() -> String {
    let mut out = String::from(
        "\n## `establishments`: schools and settings from GIAS (names)\n\n\
         Source: the Get Information About Schools (GIAS) \"all establishments\" extract, as downloaded (its other columns are ignored; \
         Windows-1252 or UTF-8).\n\nNatural key: `URN`: importing the extract again updates changed establishments and keeps those no longer in it.\n\n\
         | column | required | meaning |\n|---|---|---|\n",
    );
    for (name, required, meaning) in COLUMNS {
        out.push_str(&format!("| `{name}` | {} | {meaning} |\n", if required { "yes" } else { "no" }));
    }
    out.push_str(
        "\nRules and notes:\n\n- Imported with `waymark import establishments FILE.csv`; all or nothing, every problem reported with its line.\n\
         - Pages then show settings by name (\"Meadow Primary School, URN 117001\"), and a placement's setting can be found by name.\n\
         \nExample:\n\n```csv\nURN,EstablishmentName,LA (code),LA (name),TypeOfEstablishment (name),PhaseOfEducation (name),Postcode,EstablishmentStatus (name)\n\
         116580,Meadow Primary School,851,Portsmouth,Community school,Primary,PO1 1AA,Open\n```\n",
    );
    out
}

fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim().to_owned(),
        // Windows-1252's printable Latin letters sit where Latin-1 puts them (0xA0-0xFF).
        Err(_) => bytes.iter().map(|&b| b as char).collect::<String>().trim().to_owned(),
    }
}

/// Read and check the whole extract.
pub fn read<R: Read>(file: &str, input: R) -> Result<Vec<Establishment>, ImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> =
        reader.byte_headers().map_err(|e| ImportError::Read { file: file.into(), message: e.to_string() })?.iter().map(text).collect();
    let problem = |line: u64, column: &str, value: &str, rule: &str, message: String| RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: value.chars().take(100).collect(),
        rule: rule.to_owned(),
        message,
    };
    let mut errors = Vec::new();
    let mut index = [0usize; 8];
    for (i, (name, _, _)) in COLUMNS.iter().enumerate() {
        match headers.iter().position(|h| h.trim_start_matches('\u{feff}').trim_start_matches("ï»¿") == *name) {
            Some(p) => index[i] = p,
            None => errors.push(problem(1, name, "", "missing_column", format!("the header has no \"{name}\" column"))),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rejected(Rejection { file: file.into(), rows: 0, errors }));
    }
    let mut rows = Vec::new();
    let mut count = 0;
    for record in reader.byte_records() {
        let record = record.map_err(|e| ImportError::Read { file: file.into(), message: e.to_string() })?;
        count += 1;
        let line = record.position().map_or(count + 1, |p| p.line());
        let get = |i: usize| record.get(index[i]).map(text).unwrap_or_default();
        let (urn_t, name, la_t, la_name, kind, phase, postcode, status) = (get(0), get(1), get(2), get(3), get(4), get(5), get(6), get(7));
        let urn = urn_t.parse::<Urn>().map_err(|e| problem(line, "URN", &urn_t, "urn", e.to_string()));
        let la = la_t.parse::<LaCode>().map_err(|e| problem(line, "LA (code)", &la_t, "la_code", e.to_string()));
        let mut ok = true;
        for (i, value) in [(1, &name), (3, &la_name), (4, &kind), (5, &phase), (7, &status)] {
            if value.is_empty() {
                errors.push(problem(line, COLUMNS[i].0, value, "required", format!("\"{}\" is blank", COLUMNS[i].0)));
                ok = false;
            } else if value.chars().count() > 200 {
                errors.push(problem(line, COLUMNS[i].0, value, "too_long", "is longer than 200 characters".into()));
                ok = false;
            }
        }
        match (urn, la) {
            (Ok(urn), Ok(la)) if ok => rows.push(Establishment { urn, name, la, la_name, kind, phase, postcode, status }),
            (urn, la) => {
                errors.extend(urn.err());
                errors.extend(la.err());
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(first) = seen.insert(r.urn.to_string(), i) {
            errors.push(problem(
                i as u64 + 2,
                "URN",
                &r.urn.to_string(),
                "duplicate",
                format!("URN repeated (first on row {})", first + 2),
            ));
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(ImportError::Rejected(Rejection { file: file.into(), rows: count, errors }))
    }
}

/// Read, check and load the extract in one transaction (or, with `dry_run`, only check it).
pub async fn import_file<S: EstablishmentStore>(
    store: &S,
    actor: &Actor,
    path: &Path,
    dry_run: bool,
) -> Result<(usize, EstablishmentCounts), ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::Read { file: path.display().to_string(), message: e.to_string() })?;
    let rows = read(&path.display().to_string(), std::io::BufReader::new(file))?;
    if dry_run {
        return Ok((rows.len(), EstablishmentCounts::default()));
    }
    let counts = store.load_establishments(actor, &rows).await?;
    Ok((rows.len(), counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),PhaseOfEducation (name),Postcode\n";

    #[test]
    fn the_gias_columns_are_read_by_name_and_the_others_ignored() {
        let csv = format!("{HEADER}116580,851,Portsmouth,2001,Meadow Primary School,Community school,Open,Primary,PO1 1AA\n");
        let rows = read("gias.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "Meadow Primary School");
        assert_eq!(rows[0].la.to_string(), "851");
        assert_eq!(rows[0].status, "Open");
    }

    #[test]
    fn a_file_with_any_bad_row_is_refused_whole_with_each_line_named() {
        let csv = format!(
            "{HEADER}116580,851,Portsmouth,2001,Meadow Primary School,Community school,Open,Primary,PO1 1AA\n\
             12x,851,Portsmouth,2002,Oak School,Community school,Open,Primary,\n\
             116581,999,Nowhere,2003,,Community school,Open,Primary,\n"
        );
        match read("gias.csv", csv.as_bytes()) {
            Err(ImportError::Rejected(r)) => {
                let lines: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
                assert!(
                    lines.contains(&(3, "URN")) && lines.contains(&(4, "LA (code)")) && lines.contains(&(4, "EstablishmentName")),
                    "{lines:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let missing = read("gias.csv", "URN,EstablishmentName\n1,x\n".as_bytes());
        assert!(matches!(missing, Err(ImportError::Rejected(r)) if r.errors.iter().any(|e| e.column == "LA (code)")));
    }

    #[test]
    fn windows_1252_names_are_read() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"116580,851,Portsmouth,2001,St Th\xe9r\xe8se School,Community school,Open,Primary,PO1 1AA\n");
        assert_eq!(read("gias.csv", &bytes[..]).unwrap()[0].name, "St Thérèse School");
    }
}
