//! Readers for witan.send's four input files, with exactly its columns:
//!
//! - `transitions.csv`: `calendar-year,setting-1,need-1,academic-year-1,setting-2,need-2,academic-year-2`,
//!   one row per child per observed year-on-year movement (`NONSEND` for a child without a plan);
//! - `population.csv`: `calendar-year,academic-year,population`, the general population by NCY;
//! - `valid-states.csv`: `setting,setting-group,min-academic-year,max-academic-year,needs,setting->setting`;
//! - `costs.csv`: `need,setting,cost`.
//!
//! Bad input is refused with an [`InputError`] naming the file, the line (the header is line 1) and the
//! field. Columns are found by name; extra columns are ignored. The readers take text, not paths: the
//! crate does no I/O.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The code witan.send uses, in a need or setting column, for a child without an EHC plan.
pub const NONSEND: &str = "NONSEND";

pub const TRANSITIONS_FILE: &str = "transitions.csv";
pub const POPULATION_FILE: &str = "population.csv";
pub const VALID_STATES_FILE: &str = "valid-states.csv";
pub const COSTS_FILE: &str = "costs.csv";

pub const TRANSITIONS_COLUMNS: [&str; 7] =
    ["calendar-year", "setting-1", "need-1", "academic-year-1", "setting-2", "need-2", "academic-year-2"];
pub const POPULATION_COLUMNS: [&str; 3] = ["calendar-year", "academic-year", "population"];
pub const VALID_STATES_COLUMNS: [&str; 6] =
    ["setting", "setting-group", "min-academic-year", "max-academic-year", "needs", "setting->setting"];
pub const COSTS_COLUMNS: [&str; 3] = ["need", "setting", "cost"];

/// Bad input: which file, which line (1 is the header; 0 when the whole file is at fault), which field,
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InputError {
    pub file: String,
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, " line {}", self.line)?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn err(file: &str, line: u64, field: Option<&str>, message: impl Into<String>) -> InputError {
    InputError { file: file.to_string(), line, field: field.map(str::to_string), message: message.into() }
}

/// A place in the model: a need and a setting (indices into [`Inputs::needs`] and
/// [`Inputs::settings`]), or no EHC plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    NonSend,
    Send { need: u16, setting: u16 },
}

/// One observed year-on-year movement of one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub calendar_year: i32,
    pub academic_year_1: i32,
    pub from: Place,
    pub academic_year_2: i32,
    pub to: Place,
}

/// One row of `valid-states.csv`: a setting, the NCYs it takes, the needs it takes, and the settings its
/// children may move to.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSetting {
    pub setting: u16,
    pub group: String,
    pub min_academic_year: i32,
    pub max_academic_year: i32,
    pub needs: Vec<u16>,
    pub moves_to: Vec<u16>,
}

/// The four inputs, read and checked. Needs and settings are interned in the order `valid-states.csv`
/// first names them.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub needs: Vec<String>,
    pub settings: Vec<String>,
    pub valid_states: Vec<ValidSetting>,
    pub transitions: Vec<Transition>,
    /// General population by (calendar year, NCY).
    pub population: BTreeMap<(i32, i32), u64>,
    /// Cost per child per year by (need, setting).
    pub costs: HashMap<(u16, u16), f64>,
}

/// The four files' text.
pub struct InputTexts<'a> {
    pub transitions: &'a str,
    pub population: &'a str,
    pub valid_states: &'a str,
    pub costs: &'a str,
}

struct Table<'a> {
    file: &'a str,
    columns: Vec<usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl<'a> Table<'a> {
    fn read(file: &'a str, text: &str, required: &[&str]) -> Result<Self, InputError> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| err(file, 1, None, format!("cannot read the header: {e}")))?.clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
            return Err(err(file, 0, None, format!("the file is empty; expected the columns {}", required.join(","))));
        }
        let mut columns = Vec::with_capacity(required.len());
        for name in required {
            match headers.iter().position(|h| h.trim_start_matches('\u{feff}') == *name) {
                Some(i) => columns.push(i),
                None => {
                    return Err(err(
                        file,
                        1,
                        Some(name),
                        format!("column '{name}' is missing (expected the columns {})", required.join(",")),
                    ))
                }
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let line = r.position().map(|p| p.line()).unwrap_or(0);
                    if r.iter().all(str::is_empty) {
                        continue;
                    }
                    rows.push((line, r));
                }
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Err(err(file, line, None, format!("not a well-formed CSV row: {e}")));
                }
            }
        }
        Ok(Self { file, columns, rows })
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, col: usize) -> &'r str {
        row.get(self.columns[col]).unwrap_or("")
    }

    fn int(&self, line: u64, row: &csv::StringRecord, col: usize, name: &str) -> Result<i64, InputError> {
        let v = self.get(row, col);
        if v.is_empty() {
            return Err(err(self.file, line, Some(name), "is empty; a whole number is needed"));
        }
        match v.parse::<i64>() {
            Ok(n) => Ok(n),
            Err(_) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x.fract() == 0.0 => Ok(x as i64),
                _ => Err(err(self.file, line, Some(name), format!("'{v}' is not a whole number"))),
            },
        }
    }

    fn year(&self, line: u64, row: &csv::StringRecord, col: usize, name: &str, lo: i64, hi: i64) -> Result<i32, InputError> {
        let n = self.int(line, row, col, name)?;
        if n < lo || n > hi {
            return Err(err(self.file, line, Some(name), format!("{n} is outside {lo} to {hi}")));
        }
        Ok(n as i32)
    }
}

/// Academic years (NCY) the readers accept: reception is 0, nursery -1 and below, post-16 12 and above.
pub const MIN_NCY: i64 = -5;
pub const MAX_NCY: i64 = 25;

impl Inputs {
    /// Read and check the four files' text. The valid-states table comes first: it names the needs and
    /// settings the others may use.
    pub fn parse(texts: &InputTexts<'_>) -> Result<Self, InputError> {
        let mut inputs = Inputs::default();
        inputs.read_valid_states(texts.valid_states)?;
        inputs.read_transitions(texts.transitions)?;
        inputs.read_population(texts.population)?;
        inputs.read_costs(texts.costs)?;
        Ok(inputs)
    }

    pub fn need_index(&self, code: &str) -> Option<u16> {
        self.needs.iter().position(|n| n == code).map(|i| i as u16)
    }

    pub fn setting_index(&self, code: &str) -> Option<u16> {
        self.settings.iter().position(|n| n == code).map(|i| i as u16)
    }

    fn intern_need(&mut self, code: &str) -> u16 {
        match self.need_index(code) {
            Some(i) => i,
            None => {
                self.needs.push(code.to_string());
                (self.needs.len() - 1) as u16
            }
        }
    }

    fn read_valid_states(&mut self, text: &str) -> Result<(), InputError> {
        let f = VALID_STATES_FILE;
        let t = Table::read(f, text, &VALID_STATES_COLUMNS)?;
        if t.rows.is_empty() {
            return Err(err(f, 0, None, "has no rows: at least one setting is needed"));
        }
        // First pass: the settings, so that setting->setting may name a setting defined further down.
        for (line, row) in &t.rows {
            let s = t.get(row, 0);
            if s.is_empty() || s == NONSEND || s.contains('-') {
                return Err(err(
                    f,
                    *line,
                    Some("setting"),
                    format!("'{s}' is not a usable setting code (empty, NONSEND or containing '-')"),
                ));
            }
            if self.setting_index(s).is_some() {
                return Err(err(f, *line, Some("setting"), format!("setting '{s}' appears twice")));
            }
            self.settings.push(s.to_string());
        }
        for (i, (line, row)) in t.rows.iter().enumerate() {
            let line = *line;
            let min = t.year(line, row, 2, "min-academic-year", MIN_NCY, MAX_NCY)?;
            let max = t.year(line, row, 3, "max-academic-year", MIN_NCY, MAX_NCY)?;
            if min > max {
                return Err(err(f, line, Some("max-academic-year"), format!("{max} is below min-academic-year {min}")));
            }
            let mut needs = Vec::new();
            for n in t.get(row, 4).split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if n == NONSEND || n.contains('-') {
                    return Err(err(f, line, Some("needs"), format!("'{n}' is not a usable need code")));
                }
                let idx = self.intern_need(n);
                if !needs.contains(&idx) {
                    needs.push(idx);
                }
            }
            if needs.is_empty() {
                return Err(err(f, line, Some("needs"), "names no needs"));
            }
            let mut moves_to = Vec::new();
            for s in t.get(row, 5).split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match self.setting_index(s) {
                    Some(idx) => {
                        if !moves_to.contains(&idx) {
                            moves_to.push(idx)
                        }
                    }
                    None => return Err(err(f, line, Some("setting->setting"), format!("unknown setting '{s}' (not a row of {f})"))),
                }
            }
            self.valid_states.push(ValidSetting {
                setting: i as u16,
                group: t.get(row, 1).to_string(),
                min_academic_year: min,
                max_academic_year: max,
                needs,
                moves_to,
            });
        }
        Ok(())
    }

    fn place(&self, f: &str, line: u64, setting: &str, need: &str, sfield: &str, nfield: &str) -> Result<Place, InputError> {
        // witan.send's join-need-setting: NONSEND in either column means no plan.
        if setting == NONSEND || need == NONSEND {
            return Ok(Place::NonSend);
        }
        let s = self.setting_index(setting).ok_or_else(|| {
            err(f, line, Some(sfield), format!("unknown setting '{setting}' (not a row of {VALID_STATES_FILE}, nor NONSEND)"))
        })?;
        let n = self
            .need_index(need)
            .ok_or_else(|| err(f, line, Some(nfield), format!("unknown need '{need}' (not named in {VALID_STATES_FILE}, nor NONSEND)")))?;
        Ok(Place::Send { need: n, setting: s })
    }

    fn read_transitions(&mut self, text: &str) -> Result<(), InputError> {
        let f = TRANSITIONS_FILE;
        let t = Table::read(f, text, &TRANSITIONS_COLUMNS)?;
        let mut out = Vec::with_capacity(t.rows.len());
        for (line, row) in &t.rows {
            let line = *line;
            let cy = t.year(line, row, 0, "calendar-year", 1900, 2200)?;
            let from = self.place(f, line, t.get(row, 1), t.get(row, 2), "setting-1", "need-1")?;
            let ay1 = t.year(line, row, 3, "academic-year-1", MIN_NCY, MAX_NCY)?;
            let to = self.place(f, line, t.get(row, 4), t.get(row, 5), "setting-2", "need-2")?;
            let ay2 = t.year(line, row, 6, "academic-year-2", MIN_NCY, MAX_NCY)?;
            if ay2 != ay1 + 1 {
                return Err(err(f, line, Some("academic-year-2"), format!("{ay2} is not one more than academic-year-1 ({ay1})")));
            }
            if from == Place::NonSend && to == Place::NonSend {
                return Err(err(f, line, Some("setting-2"), "a movement from NONSEND to NONSEND says nothing"));
            }
            out.push(Transition { calendar_year: cy, academic_year_1: ay1, from, academic_year_2: ay2, to });
        }
        if out.is_empty() {
            return Err(err(f, 0, None, "has no rows: the model is estimated from observed movements"));
        }
        self.transitions = out;
        Ok(())
    }

    fn read_population(&mut self, text: &str) -> Result<(), InputError> {
        let f = POPULATION_FILE;
        let t = Table::read(f, text, &POPULATION_COLUMNS)?;
        for (line, row) in &t.rows {
            let line = *line;
            let cy = t.year(line, row, 0, "calendar-year", 1900, 2200)?;
            let ay = t.year(line, row, 1, "academic-year", MIN_NCY, MAX_NCY)?;
            let v = t.get(row, 2);
            let x: f64 = v.parse().map_err(|_| err(f, line, Some("population"), format!("'{v}' is not a number")))?;
            if !x.is_finite() {
                return Err(err(f, line, Some("population"), format!("'{v}' is not a number")));
            }
            if x < 0.0 {
                return Err(err(f, line, Some("population"), format!("{v} is negative")));
            }
            // A projected population may be fractional; the model draws whole children from it, so it is
            // rounded to the nearest child [U: witan.send passes it to its beta-binomial unrounded].
            if self.population.insert((cy, ay), x.round() as u64).is_some() {
                return Err(err(f, line, Some("academic-year"), format!("calendar year {cy}, academic year {ay} appears twice")));
            }
        }
        if self.population.is_empty() {
            return Err(err(f, 0, None, "has no rows"));
        }
        Ok(())
    }

    fn read_costs(&mut self, text: &str) -> Result<(), InputError> {
        let f = COSTS_FILE;
        let t = Table::read(f, text, &COSTS_COLUMNS)?;
        for (line, row) in &t.rows {
            let line = *line;
            let need = t.get(row, 0);
            let setting = t.get(row, 1);
            let n = self
                .need_index(need)
                .ok_or_else(|| err(f, line, Some("need"), format!("unknown need '{need}' (not named in {VALID_STATES_FILE})")))?;
            let s = self
                .setting_index(setting)
                .ok_or_else(|| err(f, line, Some("setting"), format!("unknown setting '{setting}' (not a row of {VALID_STATES_FILE})")))?;
            let v = t.get(row, 2);
            let c: f64 = v.parse().map_err(|_| err(f, line, Some("cost"), format!("'{v}' is not a number")))?;
            if !c.is_finite() || c < 0.0 {
                return Err(err(f, line, Some("cost"), format!("{v} is not a cost (negative or not finite)")));
            }
            if self.costs.insert((n, s), c).is_some() {
                return Err(err(f, line, Some("setting"), format!("need {need}, setting {setting} appears twice")));
            }
        }
        Ok(())
    }

    /// The last calendar year of observed movements; the model starts from the places children were in
    /// at its end (witan.send's seed year is this plus one).
    pub fn last_transition_year(&self) -> i32 {
        self.transitions.iter().map(|t| t.calendar_year).max().unwrap_or(0)
    }

    /// The display code of a place: `NONSEND`, or `need`/`setting` codes.
    pub fn need_code(&self, p: Place) -> &str {
        match p {
            Place::NonSend => NONSEND,
            Place::Send { need, .. } => &self.needs[need as usize],
        }
    }

    pub fn setting_code(&self, p: Place) -> &str {
        match p {
            Place::NonSend => NONSEND,
            Place::Send { setting, .. } => &self.settings[setting as usize],
        }
    }

    /// Write the four files in witan.send's format (used to export inputs derived from the store).
    pub fn to_texts(&self) -> [(&'static str, String); 4] {
        let mut tr = String::from("calendar-year,setting-1,need-1,academic-year-1,setting-2,need-2,academic-year-2\n");
        for t in &self.transitions {
            tr.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                t.calendar_year,
                self.setting_code(t.from),
                self.need_code(t.from),
                t.academic_year_1,
                self.setting_code(t.to),
                self.need_code(t.to),
                t.academic_year_2
            ));
        }
        let mut pop = String::from("calendar-year,academic-year,population\n");
        for ((cy, ay), n) in &self.population {
            pop.push_str(&format!("{cy},{ay},{n}\n"));
        }
        let mut vs = String::from("setting,setting-group,min-academic-year,max-academic-year,needs,setting->setting\n");
        for v in &self.valid_states {
            let needs: Vec<&str> = v.needs.iter().map(|n| self.needs[*n as usize].as_str()).collect();
            let moves: Vec<&str> = v.moves_to.iter().map(|s| self.settings[*s as usize].as_str()).collect();
            vs.push_str(&format!(
                "{},{},{},{},\"{}\",\"{}\"\n",
                self.settings[v.setting as usize],
                v.group,
                v.min_academic_year,
                v.max_academic_year,
                needs.join(","),
                moves.join(",")
            ));
        }
        let mut costs = String::from("need,setting,cost\n");
        let mut keys: Vec<_> = self.costs.keys().copied().collect();
        keys.sort();
        for (n, s) in keys {
            costs.push_str(&format!("{},{},{}\n", self.needs[n as usize], self.settings[s as usize], self.costs[&(n, s)]));
        }
        [(TRANSITIONS_FILE, tr), (POPULATION_FILE, pop), (VALID_STATES_FILE, vs), (COSTS_FILE, costs)]
    }
}
