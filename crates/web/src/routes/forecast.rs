//! `/forecast`: the forecast of children and young people with EHC plans, their settings and cost, for
//! SEND managers and board members (crate `waymark-forecast`, docs/forecasting.md).
//!
//! The inputs are derived from the store for the user's LA as `waymark forecast --from-store` derives
//! them (the store's forecast read: one scoped, audited read of what the forecast uses), then the page shows a fan
//! chart of 500 seeded simulations with its data table, the settings in the last year, a scenario
//! (more or fewer new plans, fewer moves from mainstream to special schools) compared with the baseline,
//! and the back-test error of the last observed year. `/forecast/data.csv?table=...` exports each table.
//! The chart code is kept here, small and separate, while the shared charts are reworked.

use crate::access::Can;
use crate::error::AppError;
use crate::session::Signed;
use crate::templates::{page, render};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use waymark_domain::calendar::Date;
use waymark_forecast::backtest::Backtest;
use waymark_forecast::capacity::Capacity;
use waymark_forecast::derive::{setting_infos, DEFAULT_COSTS};
use waymark_forecast::report::{Figures, Grouping, Report};
use waymark_forecast::scenario::{Change, What};
use waymark_forecast::{project_expected, projection_years, simulate, Model, Scenario};
use waymark_indicators::present;
use waymark_indicators::render::{tables_workbook, TableCell, TableSheet};
use waymark_storage::{CaseloadStore, FactStore, ForecastStore, Scope};

/// Years projected, and simulations behind the fan chart.
const YEARS: usize = 5;
const SIMULATIONS: usize = 500;
const SEED: u64 = 1;

pub fn router() -> Router<AppState> {
    Router::new().route("/forecast", get(show)).route("/forecast/data.csv", get(data_csv)).route("/forecast/data.xlsx", get(data_xlsx))
}

/// What the page needs, computed once per LA scope and data generation.
struct Prepared {
    la: String,
    problem: Option<String>,
    model: Option<Model>,
    years: Vec<i32>,
    simulated: Option<Report>,
    expected: Option<Report>,
    backtest: Option<Backtest>,
    notes: Vec<String>,
    observed_from: i32,
}

type CacheEntry = ((i64, Date), Arc<Prepared>);

static CACHE: LazyLock<tokio::sync::Mutex<HashMap<String, CacheEntry>>> = LazyLock::new(Default::default);

async fn prepared(state: &AppState, signed: &Signed) -> Result<Arc<Prepared>, AppError> {
    signed.access.require(Can::Dashboard)?;
    let actor = signed.access.actor();
    let scope_key = format!("{:?}", actor.scope);
    let key = (state.store.data_generation().await?, state.clock.today());
    let mut cache = CACHE.lock().await;
    if let Some((k, p)) = cache.get(&scope_key) {
        if *k == key {
            state.store.audit_list_read(&actor, "aggregate", &state.audit).await?;
            return Ok(p.clone());
        }
    }
    let today = key.1;
    let la = match actor.scope {
        Scope::LocalAuthority(la) => Some(la),
        Scope::All => state.store.forecast_first_la(&actor).await?,
    };
    let children = match la {
        Some(la) => state.store.forecast_children(&actor, la, today, &state.audit).await?,
        None => Vec::new(),
    };
    let settings = state.store.settings(&actor).await?;
    let population = state.store.population(&actor).await?;
    let computed = tokio::task::spawn_blocking(move || {
        let Some(la) = la else {
            return Prepared {
                la: String::new(),
                problem: Some("There are no records to forecast from yet.".into()),
                model: None,
                years: vec![],
                simulated: None,
                expected: None,
                backtest: None,
                notes: vec![],
                observed_from: 0,
            };
        };
        let states = waymark_forecast::source::census_states(&children, &settings, today);
        let population: Vec<_> = population
            .iter()
            .filter(|c| c.la() == la)
            .map(|c| waymark_forecast::derive::PopulationRow { year: c.year(), age: i32::from(c.age()), count: u64::from(c.count()) })
            .collect();
        let costs: Vec<_> = DEFAULT_COSTS.iter().map(|(s, c)| ("*".to_string(), s.to_string(), *c)).collect();
        let fail = |m: String| Prepared {
            la: la.to_string(),
            problem: Some(m),
            model: None,
            years: vec![],
            simulated: None,
            expected: None,
            backtest: None,
            notes: vec![],
            observed_from: 0,
        };
        let derived = match waymark_forecast::derive::derive(&states, &population, &setting_infos(), &costs, YEARS) {
            Ok(d) => d,
            Err(e) => return fail(format!("A forecast cannot be made from these records: {e}.")),
        };
        let model = match Model::estimate(&derived.inputs) {
            Ok(m) => m,
            Err(e) => return fail(format!("A forecast cannot be made from these records: {e}.")),
        };
        let years = match projection_years(&model, Some(YEARS)) {
            Ok(y) => y,
            Err(e) => return fail(e),
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let simulated = Report::from_simulations(&model, &simulate(&model, &years, SIMULATIONS, SEED, threads, None));
        let expected = Report::from_expected(&model, &project_expected(&model, &years, None));
        let backtest = Backtest::run(&derived.inputs, 1).ok();
        let mut notes = Vec::new();
        let (pf, pl) = derived.population_years;
        if derived.population_filled.iter().any(|y| *y > pl) {
            notes.push(format!(
                "The area's population by age is held up to {pl}; later years use the {pl} figures, as no population projection is held."
            ));
        }
        if derived.population_filled.iter().any(|y| *y < pf) {
            notes.push(format!("Years before {pf} use the {pf} population figures."));
        }
        notes.push("Costs are illustrative figures per setting, not the local authority's own.".into());
        let observed_from = derived.inputs.transitions.iter().map(|t| t.calendar_year).min().unwrap_or(0);
        Prepared {
            la: la.to_string(),
            problem: None,
            model: Some(model),
            years,
            simulated: Some(simulated),
            expected: Some(expected),
            backtest,
            notes,
            observed_from,
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("forecast: {e}")))?;
    let computed = Arc::new(computed);
    cache.insert(scope_key, (key, computed.clone()));
    Ok(computed)
}

/// Plain-English names of the settings the store's inputs use.
fn setting_label(code: &str) -> String {
    match code {
        "early_years" => "Early years settings",
        "mainstream" => "Mainstream schools",
        "mainstream_resourced" => "Resourced provision or SEN units in mainstream schools",
        "independent_mainstream" => "Independent mainstream schools",
        "special" => "State-funded special schools",
        "independent_special" => "Independent special schools",
        "non_maintained_special" => "Non-maintained special schools",
        "alternative_provision" => "Alternative provision",
        "further_education" => "Further education and sixth form colleges",
        "elective_home_education" => "Educated at home",
        "neet" => "Not in education, employment or training",
        "other_arrangements" => "Other arrangements",
        "other" => "Other settings",
        "unknown" => "Setting not recorded",
        other => return other.replace('_', " "),
    }
    .to_string()
}

const SPECIAL: [&str; 3] = ["special", "independent_special", "non_maintained_special"];
const MAINSTREAM: [&str; 3] = ["mainstream", "mainstream_resourced", "independent_mainstream"];

/// The scenario asked for in the query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Ask {
    #[serde(default)]
    joiners: String,
    #[serde(default)]
    moves: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    open: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    close: String,
    #[serde(default)]
    table: String,
}

fn percent(text: &str, field: &str, label: &str, errors: &mut Vec<(String, String)>) -> Option<f64> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if (-100.0..=200.0).contains(&v) => Some(v),
        _ => {
            errors.push((field.to_string(), format!("{label} must be a percentage between -100 and 200, like 10 or -20")));
            None
        }
    }
}

/// The scenario the form asks for, with the places of a setting it opens (empty if none are given).
fn scenario(p: &Prepared, ask: &Ask, errors: &mut Vec<(String, String)>) -> Option<(Scenario, Capacity)> {
    let model = p.model.as_ref()?;
    let joiners = percent(&ask.joiners, "joiners", "The change in new plans", errors);
    let moves = percent(&ask.moves, "moves", "The change in moves to special schools", errors);
    let from = match ask.from.trim() {
        "" => p.years.get(1).copied(),
        t => match t.parse::<i32>() {
            Ok(y) if p.years.contains(&y) && y != p.years[0] => Some(y),
            _ => {
                errors.push(("from".into(), "Choose a year from the list".into()));
                None
            }
        },
    };
    let idx = |code: &str| model.settings.iter().position(|s| s == code).map(|i| i as u16);
    let setting = |text: &str, field: &str, errors: &mut Vec<(String, String)>| match text.trim() {
        "" => None,
        t => {
            let found = idx(t);
            if found.is_none() {
                errors.push((field.into(), "Choose a setting from the list".into()));
            }
            found
        }
    };
    let open = setting(&ask.open, "open", errors);
    let close = setting(&ask.close, "close", errors);
    if open.is_some() && open == close {
        errors.push(("close".into(), "Choose a setting to close that is not the one opening".into()));
    }
    let places = match ask.places.trim().replace(',', "") {
        t if t.is_empty() => None,
        t => match t.parse::<u32>() {
            Ok(n) if open.is_some() => Some(f64::from(n)),
            Ok(_) => {
                errors.push(("places".into(), "Choose the setting that opens, or leave its places empty".into()));
                None
            }
            Err(_) => {
                errors.push(("places".into(), "The places must be a whole number, like 60".into()));
                None
            }
        },
    };
    if !errors.is_empty() || (joiners.is_none() && moves.is_none() && open.is_none() && close.is_none()) {
        return None;
    }
    let mut sc = Scenario { name: "Scenario".into(), ..Default::default() };
    let mut words = Vec::new();
    if let Some(j) = joiners {
        sc.changes.push(Change {
            what: What::Joiners,
            factor: 1.0 + j / 100.0,
            from,
            until: None,
            need: None,
            setting: None,
            from_setting: None,
            to_setting: None,
        });
        words.push(format!("new plans {j:+}%"));
    }
    if let Some(m) = moves {
        for f in MAINSTREAM.iter().filter_map(|c| idx(c)) {
            for t in SPECIAL.iter().filter_map(|c| idx(c)) {
                sc.changes.push(Change {
                    what: What::Moves,
                    factor: 1.0 + m / 100.0,
                    from,
                    until: None,
                    need: None,
                    setting: None,
                    from_setting: Some(f),
                    to_setting: Some(t),
                });
            }
        }
        words.push(format!("moves from mainstream to special schools {m:+}%"));
    }
    let from_year = from.unwrap_or(p.years[0]);
    if let Some(o) = open {
        // Nobody joins or moves into the setting before it opens (docs/forecasting.md, Scenarios).
        sc.opens.push((o, from_year));
        let label = setting_label(&model.settings[o as usize]).to_lowercase();
        words.push(match places {
            Some(n) => format!("{label} opening with {} places", present::whole(n)),
            None => format!("{label} opening"),
        });
    }
    if let Some(c) = close {
        // From the year nobody joins or moves in, and those in it move by its movers' destinations.
        sc.closes.push((c, from_year));
        words.push(format!("{} closing", setting_label(&model.settings[c as usize]).to_lowercase()));
    }
    sc.name = format!("{} from {from_year}", words.join(", "));
    let mut cap = Capacity::default();
    if let (Some(o), Some(n)) = (open, places) {
        cap.places.entry(model.settings[o as usize].clone()).or_default().insert(from_year, n);
    }
    Some((sc, cap))
}

fn fan_chart(rows: &[(i32, [f64; 5], f64)]) -> String {
    let rows: Vec<(String, [f64; 5], f64)> = rows.iter().map(|(y, q, e)| (y.to_string(), *q, *e)).collect();
    waymark_indicators::render::svg::fan_chart("fan", "Children and young people with EHC plans: forecast range by year", &rows)
}

fn table(columns: &[&str], rows: Vec<Vec<String>>) -> serde_json::Value {
    json!({"columns": columns, "rows": rows})
}

async fn show(State(state): State<AppState>, signed: Signed, Query(ask): Query<Ask>) -> Result<Html<String>, AppError> {
    let p = prepared(&state, &signed).await?;
    let mut errors = Vec::new();
    let mut view = json!({"la": p.la, "problem": p.problem, "notes": p.notes, "ask": {"joiners": ask.joiners, "moves": ask.moves, "from": ask.from, "open": ask.open, "places": ask.places, "close": ask.close}});
    if let (Some(model), Some(sim), Some(exp)) = (&p.model, &p.simulated, &p.expected) {
        let expected: HashMap<i32, f64> = exp.totals().into_iter().collect();
        let fan: Vec<(i32, [f64; 5], f64)> = sim
            .rows(Grouping::Total)
            .iter()
            .filter_map(|r| match r.figures {
                Figures::Simulated { q, .. } => Some((r.calendar_year, q, expected.get(&r.calendar_year).copied().unwrap_or(0.0))),
                Figures::Expected { .. } => None,
            })
            .collect();
        let first = p.years[0];
        let last = *p.years.last().unwrap_or(&first);
        let totals_table = table(
            &["Year", "Expected", "Low (1 in 20)", "Lower quarter", "Middle", "Upper quarter", "High (1 in 20)", "Expected yearly cost"],
            exp.rows(Grouping::Total)
                .iter()
                .zip(&fan)
                .map(|(r, f)| {
                    let year = if r.calendar_year == first { format!("{} (now)", r.calendar_year) } else { r.calendar_year.to_string() };
                    vec![
                        year,
                        present::whole(r.figures.central()),
                        present::whole(f.1[0]),
                        present::whole(f.1[1]),
                        present::whole(f.1[2]),
                        present::whole(f.1[3]),
                        present::whole(f.1[4]),
                        present::money(r.figures.cost()),
                    ]
                })
                .collect(),
        );
        let by_setting = |year: i32| -> HashMap<String, (f64, f64)> {
            exp.rows(Grouping::Setting)
                .iter()
                .filter(|r| r.calendar_year == year)
                .map(|r| (r.keys[0].clone(), (r.figures.central(), r.figures.cost())))
                .collect()
        };
        let (now, then) = (by_setting(first), by_setting(last));
        let mut settings: Vec<&String> = model.settings.iter().collect();
        settings.sort_by(|a, b| then.get(*b).map_or(0.0, |v| v.0).total_cmp(&then.get(*a).map_or(0.0, |v| v.0)));
        let settings_table = table(
            &["Setting", &format!("{first} (now)"), &format!("{last} (expected)"), "Change", &format!("Yearly cost in {last}")],
            settings
                .iter()
                .filter(|s| now.contains_key(s.as_str()) || then.contains_key(s.as_str()))
                .map(|s| {
                    let (a, b) = (now.get(*s).map_or(0.0, |v| v.0), then.get(*s).map_or((0.0, 0.0), |v| *v));
                    vec![setting_label(s), present::whole(a), present::whole(b.0), present::signed(b.0 - a), present::money(b.1)]
                })
                .collect(),
        );
        let scenario_view = match scenario(&p, &ask, &mut errors) {
            Some((sc, cap)) => {
                let alt = Report::from_expected(model, &project_expected(model, &p.years, Some(&sc)));
                let costs = |r: &Report| -> HashMap<i32, f64> {
                    r.rows(Grouping::Total).iter().map(|x| (x.calendar_year, x.figures.cost())).collect()
                };
                let (bc, sc_costs) = (costs(exp), costs(&alt));
                let rows: Vec<Vec<String>> = waymark_forecast::compare(exp, &alt)
                    .into_iter()
                    .map(|(y, b, s, d)| {
                        let cd = sc_costs.get(&y).copied().unwrap_or(0.0) - bc.get(&y).copied().unwrap_or(0.0);
                        vec![y.to_string(), present::whole(b), present::whole(s), present::signed(d), present::money(cd)]
                    })
                    .collect();
                let special = |r: &Report| -> f64 {
                    r.rows(Grouping::Setting)
                        .iter()
                        .filter(|x| x.calendar_year == last && SPECIAL.contains(&x.keys[0].as_str()))
                        .map(|x| x.figures.central())
                        .sum()
                };
                let compared = waymark_forecast::compare(exp, &alt);
                let chart = waymark_indicators::render::svg::line_chart(
                    "scenario-chart",
                    "Children and young people with EHC plans: the forecast and the scenario by year",
                    &compared.iter().map(|c| c.0.to_string()).collect::<Vec<_>>(),
                    &[
                        ("Forecast", compared.iter().map(|c| Some(c.1)).collect()),
                        ("Scenario", compared.iter().map(|c| Some(c.2)).collect()),
                    ],
                    waymark_indicators::definition::Unit::Count,
                );
                let places: Vec<Vec<String>> = cap
                    .rows(&alt)
                    .iter()
                    .map(|r| {
                        vec![r.calendar_year.to_string(), present::whole(r.places), present::whole(r.demand), present::whole(r.shortfall)]
                    })
                    .collect();
                let places_setting = cap.places.keys().next().map(|s| setting_label(s));
                json!({
                    "name": sc.name,
                    "chart": chart,
                    "table": table(&["Year", "Baseline", "Scenario", "Difference", "Difference in yearly cost"], rows),
                    "places": places_setting.map(|s| json!({
                        "setting": s,
                        "table": table(&["Year", "Places", "Children expected", "Children without a place"], places),
                    })),
                    "special": format!("In special schools in {last}: {} in the baseline, {} in the scenario.", present::whole(special(exp)), present::whole(special(&alt))),
                })
            }
            None => serde_json::Value::Null,
        };
        let backtest_view = p.backtest.as_ref().map(|bt| {
            let rows: Vec<Vec<String>> = bt
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.setting.as_deref().map(setting_label).unwrap_or_else(|| "All settings".into()),
                        present::whole(r.observed),
                        present::whole(r.expected),
                        r.ape().map(|a| format!("{a:.1}%")).unwrap_or_else(|| "not applicable".into()),
                    ]
                })
                .collect();
            let year = bt.rows.first().map(|r| r.calendar_year).unwrap_or_default();
            json!({
                "year": year,
                "mape": bt.mape_total().map(|m| format!("{m:.1}%")),
                "table": table(&["Setting", "Actual", "Forecast", "Error"], rows),
            })
        });
        let dropped: f64 = exp.dropped.iter().map(|d| d.count).sum();
        view["forecast"] = json!({
            "first": first,
            "last": last,
            "observed_from": p.observed_from,
            "simulations": SIMULATIONS,
            "svg": fan_chart(&fan),
            "totals": totals_table,
            "settings": settings_table,
            "scenario": scenario_view,
            "backtest": backtest_view,
            "years": p.years[1..].iter().map(|y| json!({"value": y.to_string(), "text": y.to_string()})).collect::<Vec<_>>(),
            "settings_options": std::iter::once(json!({"value": "", "text": "None"}))
                .chain(model.settings.iter().map(|s| json!({"value": s, "text": setting_label(s)})))
                .collect::<Vec<_>>(),
            "dropped": (dropped >= 0.5).then(|| present::whole(dropped)),
        });
    }
    view["errors"] = json!(errors.iter().map(|(f, m)| json!({"href": f, "text": m})).collect::<Vec<_>>());
    view["error_for"] = json!(errors.iter().map(|(f, m)| (f.clone(), m.clone())).collect::<HashMap<_, _>>());
    let context = page(&signed, "Forecast", "/dashboard", json!({ "f": view }));
    Ok(Html(render("forecast.html", &context)?))
}

async fn data_csv(State(state): State<AppState>, signed: Signed, Query(ask): Query<Ask>) -> Result<Response, AppError> {
    let p = prepared(&state, &signed).await?;
    let (name, body) = match (ask.table.as_str(), &p.simulated, &p.backtest) {
        ("totals" | "", Some(r), _) => ("totals", r.csv(Grouping::Total)),
        ("setting", Some(r), _) => ("by-setting", r.csv(Grouping::Setting)),
        ("need", Some(r), _) => ("by-need", r.csv(Grouping::Need)),
        ("ncy", Some(r), _) => ("by-year-group", r.csv(Grouping::Ncy)),
        ("backtest", _, Some(b)) => ("backtest", b.csv()),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"waymark-forecast-{name}.csv\"")),
        ],
        body,
    )
        .into_response())
}

/// The figures of a report's rows as cells: mean, standard deviation, the five quantiles and the cost
/// (simulations), or the expected number and cost.
fn figure_cells(f: &Figures) -> Vec<TableCell> {
    match f {
        Figures::Simulated { mean, sd, q, cost_mean } => {
            let mut cells = vec![TableCell::Decimal(*mean), TableCell::Decimal(*sd)];
            cells.extend(q.iter().map(|v| TableCell::Decimal(*v)));
            cells.push(TableCell::Money(*cost_mean));
            cells
        }
        Figures::Expected { count, cost } => vec![TableCell::Decimal(*count), TableCell::Money(*cost)],
    }
}

const FIGURE_HEADINGS: [&str; 8] =
    ["Mean", "Standard deviation", "Low (1 in 20)", "Lower quarter", "Middle", "Upper quarter", "High (1 in 20)", "Expected yearly cost"];

/// `/forecast/data.xlsx`: every table of the page in one workbook, numbers as numbers (with the
/// scenario's comparison when the query asks for one, as the page's form does).
async fn data_xlsx(State(state): State<AppState>, signed: Signed, Query(ask): Query<Ask>) -> Result<Response, AppError> {
    let p = prepared(&state, &signed).await?;
    let (Some(model), Some(sim), Some(exp)) = (&p.model, &p.simulated, &p.expected) else { return Err(AppError::NotFound) };
    let text = |s: &str| TableCell::Text(s.to_string());
    let breakdown = |title: &str, g: Grouping, key: &str, label: &dyn Fn(&str) -> TableCell| {
        let mut header = vec!["Year".to_string(), key.to_string()];
        header.extend(FIGURE_HEADINGS.iter().map(|h| h.to_string()));
        let rows = sim
            .rows(g)
            .iter()
            .map(|r| {
                let mut cells = vec![TableCell::Whole(f64::from(r.calendar_year)), label(&r.keys[0])];
                cells.extend(figure_cells(&r.figures));
                cells
            })
            .collect();
        TableSheet { title: title.into(), header, rows }
    };
    let expected: HashMap<i32, f64> = exp.totals().into_iter().collect();
    let mut header = vec!["Year".to_string(), "Expected".to_string()];
    header.extend(FIGURE_HEADINGS.iter().map(|h| h.to_string()));
    let totals = TableSheet {
        title: "Forecast by year".into(),
        header,
        rows: sim
            .rows(Grouping::Total)
            .iter()
            .map(|r| {
                let mut cells = vec![
                    TableCell::Whole(f64::from(r.calendar_year)),
                    TableCell::Decimal(expected.get(&r.calendar_year).copied().unwrap_or(0.0)),
                ];
                cells.extend(figure_cells(&r.figures));
                cells
            })
            .collect(),
    };
    let mut sheets = vec![
        totals,
        breakdown("By setting", Grouping::Setting, "Setting", &|s| TableCell::Text(setting_label(s))),
        breakdown("By primary need", Grouping::Need, "Primary need", &|s| text(s)),
        breakdown("By year group", Grouping::Ncy, "National curriculum year", &|s| {
            s.parse::<f64>().map(TableCell::Whole).unwrap_or_else(|_| text(s))
        }),
    ];
    if let Some(bt) = &p.backtest {
        sheets.push(TableSheet {
            title: "How well it forecast".into(),
            header: ["Year", "Setting", "Actual", "Forecast", "Error (%)"].map(String::from).to_vec(),
            rows: bt
                .rows
                .iter()
                .map(|r| {
                    vec![
                        TableCell::Whole(f64::from(r.calendar_year)),
                        TableCell::Text(r.setting.as_deref().map(setting_label).unwrap_or_else(|| "All settings".into())),
                        TableCell::Whole(r.observed),
                        TableCell::Decimal(r.expected),
                        r.ape().map_or(TableCell::Empty, TableCell::Percent),
                    ]
                })
                .collect(),
        });
    }
    let mut errors = Vec::new();
    if let Some((sc, cap)) = scenario(&p, &ask, &mut errors) {
        let alt = Report::from_expected(model, &project_expected(model, &p.years, Some(&sc)));
        let cost = |r: &Report, y: i32| r.rows(Grouping::Total).iter().find(|x| x.calendar_year == y).map_or(0.0, |x| x.figures.cost());
        sheets.push(TableSheet {
            title: "Scenario".into(),
            header: ["Year", "Baseline", "Scenario", "Difference", "Baseline yearly cost", "Scenario yearly cost"]
                .map(String::from)
                .to_vec(),
            rows: waymark_forecast::compare(exp, &alt)
                .into_iter()
                .map(|(y, b, s, d)| {
                    vec![
                        TableCell::Whole(f64::from(y)),
                        TableCell::Decimal(b),
                        TableCell::Decimal(s),
                        TableCell::Decimal(d),
                        TableCell::Money(cost(exp, y)),
                        TableCell::Money(cost(&alt, y)),
                    ]
                })
                .collect(),
        });
        let places = cap.rows(&alt);
        if !places.is_empty() {
            sheets.push(TableSheet {
                title: "Scenario places".into(),
                header: ["Year", "Setting", "Places", "Children expected", "Children without a place"].map(String::from).to_vec(),
                rows: places
                    .iter()
                    .map(|r| {
                        vec![
                            TableCell::Whole(f64::from(r.calendar_year)),
                            TableCell::Text(setting_label(&r.setting)),
                            TableCell::Whole(r.places),
                            TableCell::Decimal(r.demand),
                            TableCell::Decimal(r.shortfall),
                        ]
                    })
                    .collect(),
            });
        }
    }
    let body = tables_workbook(&sheets).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"waymark-forecast.xlsx\"".to_owned()),
        ],
        body,
    )
        .into_response())
}
