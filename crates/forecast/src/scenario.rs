//! Scenarios: changes to the model's rates, and settings opened or closed, from a calendar year on.
//!
//! A scenario file is TOML:
//!
//! ```toml
//! name = "More joiners from 2027"
//!
//! [[change]]
//! what = "joiners"     # joiners | leavers | moves
//! factor = 1.1         # multiplies the rate (1.1 = +10%)
//! from = 2027          # first calendar year it applies to (default: every projected year)
//! until = 2030         # last calendar year (optional)
//! need = "ASD"         # optional: only this need
//! setting = "MSS"      # optional: joiners into / leavers from this setting
//! from-setting = "MMS" # moves only, optional: moves out of this setting
//! to-setting = "MSS"   # moves only, optional: moves into this setting
//!
//! [[close]]            # from this year nobody joins or moves in, and everyone in it moves elsewhere
//! setting = "H"
//! from = 2027
//!
//! [[open]]             # a setting in valid-states.csv that nobody joins or moves into before `from`
//! setting = "R"
//! from = 2027
//! ```
//!
//! A factor on joiners or moves into some settings scales both how many join or move and where they go:
//! the expected number going to a matching setting is multiplied by the factor, the others unchanged.
//! A factor on moves out of a setting into another with fewer moves keeps the difference where it was.

use crate::model::Model;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Joiners,
    Leavers,
    Moves,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub what: What,
    pub factor: f64,
    pub from: Option<i32>,
    pub until: Option<i32>,
    pub need: Option<u16>,
    pub setting: Option<u16>,
    pub from_setting: Option<u16>,
    pub to_setting: Option<u16>,
}

impl Change {
    fn in_force(&self, cy: i32) -> bool {
        self.from.is_none_or(|f| cy >= f) && self.until.is_none_or(|u| cy <= u)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Scenario {
    pub name: String,
    pub changes: Vec<Change>,
    /// (setting, from year)
    pub closes: Vec<(u16, i32)>,
    /// (setting, from year)
    pub opens: Vec<(u16, i32)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    #[serde(default)]
    change: Vec<RawChange>,
    #[serde(default)]
    close: Vec<RawYearSetting>,
    #[serde(default)]
    open: Vec<RawYearSetting>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawChange {
    what: String,
    factor: f64,
    from: Option<i32>,
    until: Option<i32>,
    need: Option<String>,
    setting: Option<String>,
    from_setting: Option<String>,
    to_setting: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYearSetting {
    setting: String,
    from: i32,
}

impl Scenario {
    /// Read a scenario file's text against a model's needs and settings. Errors name the file and field.
    pub fn parse(file: &str, text: &str, model: &Model) -> Result<Self, String> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| format!("{file}: {}", e.to_string().trim()))?;
        let setting = |field: &str, i: usize, table: &str, code: &Option<String>| -> Result<Option<u16>, String> {
            match code {
                None => Ok(None),
                Some(c) => model
                    .settings
                    .iter()
                    .position(|s| s == c)
                    .map(|p| Some(p as u16))
                    .ok_or_else(|| format!("{file}: [[{table}]] number {}, field {field}: unknown setting '{c}'", i + 1)),
            }
        };
        let mut sc = Scenario { name: raw.name.unwrap_or_else(|| "Scenario".into()), ..Default::default() };
        for (i, c) in raw.change.iter().enumerate() {
            let what = match c.what.as_str() {
                "joiners" => What::Joiners,
                "leavers" => What::Leavers,
                "moves" => What::Moves,
                other => {
                    return Err(format!("{file}: [[change]] number {}, field what: '{other}' is not one of joiners, leavers, moves", i + 1))
                }
            };
            if !c.factor.is_finite() || c.factor < 0.0 {
                return Err(format!("{file}: [[change]] number {}, field factor: {} is not a factor (0 or more)", i + 1, c.factor));
            }
            if what != What::Moves && (c.from_setting.is_some() || c.to_setting.is_some()) {
                return Err(format!("{file}: [[change]] number {}: from-setting and to-setting are for moves only", i + 1));
            }
            if what == What::Moves && c.setting.is_some() {
                return Err(format!("{file}: [[change]] number {}, field setting: use from-setting or to-setting for moves", i + 1));
            }
            let need = match &c.need {
                None => None,
                Some(n) => Some(
                    model
                        .needs
                        .iter()
                        .position(|x| x == n)
                        .ok_or_else(|| format!("{file}: [[change]] number {}, field need: unknown need '{n}'", i + 1))?
                        as u16,
                ),
            };
            sc.changes.push(Change {
                what,
                factor: c.factor,
                from: c.from,
                until: c.until,
                need,
                setting: setting("setting", i, "change", &c.setting)?,
                from_setting: setting("from-setting", i, "change", &c.from_setting)?,
                to_setting: setting("to-setting", i, "change", &c.to_setting)?,
            });
        }
        for (i, c) in raw.close.iter().enumerate() {
            let s = setting("setting", i, "close", &Some(c.setting.clone()))?.expect("some");
            sc.closes.push((s, c.from));
        }
        for (i, c) in raw.open.iter().enumerate() {
            let s = setting("setting", i, "open", &Some(c.setting.clone()))?.expect("some");
            sc.opens.push((s, c.from));
        }
        Ok(sc)
    }

    /// Is the setting closed to new children (and emptied) in calendar year `cy`?
    pub fn is_closed(&self, setting: u16, cy: i32) -> bool {
        self.closes.iter().any(|(s, from)| *s == setting && cy >= *from) || self.opens.iter().any(|(s, from)| *s == setting && cy < *from)
    }

    /// Is the setting closing (everyone in it must move)? Only a [[close]] empties a setting.
    pub fn joiner_factor(&self, cy: i32, need: u16, setting: u16) -> f64 {
        self.changes
            .iter()
            .filter(|c| c.what == What::Joiners && c.in_force(cy))
            .filter(|c| c.need.is_none_or(|n| n == need) && c.setting.is_none_or(|s| s == setting))
            .map(|c| c.factor)
            .product()
    }

    pub fn leaver_factor(&self, cy: i32, need: u16, setting: u16) -> f64 {
        self.changes
            .iter()
            .filter(|c| c.what == What::Leavers && c.in_force(cy))
            .filter(|c| c.need.is_none_or(|n| n == need) && c.setting.is_none_or(|s| s == setting))
            .map(|c| c.factor)
            .product()
    }

    pub fn mover_factor(&self, cy: i32, need: u16, from: u16, _to_need: u16, to: u16) -> f64 {
        self.changes
            .iter()
            .filter(|c| c.what == What::Moves && c.in_force(cy))
            .filter(|c| {
                c.need.is_none_or(|n| n == need) && c.from_setting.is_none_or(|s| s == from) && c.to_setting.is_none_or(|s| s == to)
            })
            .map(|c| c.factor)
            .product()
    }
}
