//! `waymark strategy show`: the plan by strand with each deliverable's linked indicators and their live
//! figures. The JSON is exactly `{"strands":[{"name","deliverables":[{"ref","title","due","owner",
//! "status","indicators":[{"id","value","target","rag"}]}]}]}` with codes (`on_track`, `green`) and
//! plain numbers; the text is for people.

use crate::plan::Plan;
use crate::report::{figure, Figure};
use serde_json::{json, Value};

pub fn json(plan: &Plan, figures: &[Figure]) -> Value {
    let strands: Vec<Value> = plan
        .strands
        .iter()
        .map(|s| {
            let deliverables: Vec<Value> = s
                .items
                .iter()
                .map(|i| {
                    let indicators: Vec<Value> = i
                        .def
                        .indicators
                        .iter()
                        .map(|r| {
                            let f = figure(figures, r);
                            json!({
                                "id": r.to_string(),
                                "value": f.and_then(|f| f.value),
                                "target": f.and_then(|f| f.target),
                                "rag": f.and_then(|f| f.rag.clone()),
                            })
                        })
                        .collect();
                    json!({
                        "ref": i.def.reference,
                        "title": i.def.title,
                        "due": i.def.due.code(),
                        "owner": i.def.owner,
                        "status": i.status().key(),
                        "indicators": indicators,
                    })
                })
                .collect();
            json!({"name": s.name, "deliverables": deliverables})
        })
        .collect();
    json!({ "strands": strands })
}

pub fn text(plan: &Plan, figures: &[Figure]) -> String {
    let mut out = String::new();
    for s in &plan.strands {
        out.push_str(&format!("{}\n", s.name));
        for i in &s.items {
            out.push_str(&format!(
                "  {:<5} {} (by {}, {}): {}\n",
                i.def.reference,
                i.def.title,
                i.def.due,
                i.def.owner,
                i.status().words()
            ));
            for r in &i.def.indicators {
                match figure(figures, r) {
                    Some(f) => out.push_str(&format!(
                        "        {}: {}{}; {}; {}\n",
                        f.title,
                        f.value_text,
                        if f.period.is_empty() { String::new() } else { format!(" ({})", f.period) },
                        if f.target.is_some() { format!("target {}", f.target_text) } else { "no target set".to_owned() },
                        f.rag_words
                    )),
                    None => out.push_str(&format!("        {r}\n")),
                }
            }
        }
    }
    if plan.strands.is_empty() {
        out.push_str("There is no delivery plan yet: import one with waymark strategy import FILE.csv\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_format;
    use crate::plan::{Change, PlanKind, Recorded};

    #[test]
    fn the_json_has_exactly_the_contracts_keys_with_codes_and_numbers() {
        let strands = csv_format::parse(
            "p.csv",
            "strand,ref,deliverable,due,owner,status,monitored_by,indicators\nStrand B,B6,Timely plans,Sep 16,KS,on track,,dfe-ehcp/plans_issued\n",
            &|_| true,
        )
        .unwrap();
        let plan = Plan::replay(
            PlanKind::Strategy,
            &[Recorded { seq: 1, at: chrono::DateTime::UNIX_EPOCH, actor: "cli".into(), change: Change::Imported { strands } }],
        )
        .unwrap();
        let mut f = Figure::missing(&"dfe-ehcp/plans_issued".parse().unwrap(), "");
        f.value = Some(52.5);
        f.target = Some(60.0);
        f.rag = Some("amber".into());
        let v = json(&plan, &[f]);
        assert_eq!(
            v,
            serde_json::json!({"strands": [{"name": "Strand B", "deliverables": [{"ref": "B6", "title": "Timely plans", "due": "2016-09",
                "owner": "KS", "status": "on_track", "indicators": [{"id": "dfe-ehcp/plans_issued", "value": 52.5, "target": 60.0, "rag": "amber"}]}]}]})
        );
        assert!(text(&plan, &[]).contains("B6    Timely plans (by September 2016, KS): On track"));
    }
}
