//! A survey's results: per question, how many answered, the count and percentage of each option, the
//! scale's mean and the free-text answers; the response rate where the survey was sent to known
//! cases; and the published view, where small numbers are suppressed.

use crate::definition::{QuestionKind, Survey};
use crate::response::{Answer, Response};
use serde::Serialize;

/// One question's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResults {
    pub id: String,
    pub kind: QuestionKind,
    pub text: String,
    /// Responses that answered this question.
    pub answered: u64,
    /// Each option (a scale's points `1`..`5`) with the responses choosing it, in the question's order.
    pub counts: Vec<(String, u64)>,
    /// A scale's mean, to two decimal places; `None` for other kinds or when nobody answered.
    pub mean: Option<f64>,
    /// Free-text answers, with the position of their response in the list given to [`tally`].
    pub texts: Vec<(usize, String)>,
}

/// A survey's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResults {
    pub responses: u64,
    pub questions: Vec<QuestionResults>,
}

/// `part` of `whole` as a percentage to one decimal place (half away from zero); `None` when `whole`
/// is 0.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| {
        let tenths = (u128::from(part) * 2000 + u128::from(whole)) / (2 * u128::from(whole));
        tenths as f64 / 10.0
    })
}

/// Count every response.
pub fn tally(survey: &Survey, responses: &[Response]) -> SurveyResults {
    let questions = survey
        .questions
        .iter()
        .map(|q| {
            let mut counts: Vec<(String, u64)> = q.values().into_iter().map(|v| (v, 0)).collect();
            let (mut answered, mut sum, mut texts) = (0u64, 0u64, Vec::new());
            for (i, r) in responses.iter().enumerate() {
                let Some(a) = r.answers.get(&q.id) else { continue };
                answered += 1;
                match a {
                    Answer::Text(t) => texts.push((i, t.clone())),
                    Answer::Scale(n) => sum += u64::from(*n),
                    _ => {}
                }
                for v in a.values() {
                    if let Some(c) = counts.iter_mut().find(|(o, _)| *o == v) {
                        c.1 += 1;
                    }
                }
            }
            let mean = (q.kind == QuestionKind::Scale && answered > 0).then(|| (sum as f64 * 100.0 / answered as f64).round() / 100.0);
            QuestionResults { id: q.id.to_string(), kind: q.kind, text: q.text.clone(), answered, counts, mean, texts }
        })
        .collect();
    SurveyResults { responses: responses.len() as u64, questions }
}

/// How many of those a survey was sent to responded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResponseRate {
    pub sent: u64,
    pub responded: u64,
}

impl ResponseRate {
    pub fn percent(self) -> Option<f64> {
        percent(self.responded.min(self.sent), self.sent)
    }
}

/// A figure as published: the number, or `None` where it is suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedCount {
    pub option: String,
    pub count: Option<u64>,
    pub percent: Option<f64>,
}

/// One question's published results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedQuestion {
    pub id: String,
    pub answered: Option<u64>,
    pub counts: Vec<PublishedCount>,
    pub mean: Option<f64>,
}

/// Results fit to publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub responses: Option<u64>,
    pub questions: Vec<PublishedQuestion>,
}

impl SurveyResults {
    /// The results with small numbers suppressed. `hides` is the small-number rule (Waymark's one rule
    /// is `waymark_indicators::present::Suppression`: 1 to the threshold hidden, 0 shown). A count is
    /// hidden when it is small, or when the rest of its question's answers are (so it cannot be worked
    /// out from the total); where the number who answered is small, the whole question is hidden,
    /// its mean too.
    pub fn published(&self, hides: impl Fn(u64) -> bool) -> Published {
        let questions = self
            .questions
            .iter()
            .map(|q| {
                let hidden_total = hides(q.answered);
                let counts = q
                    .counts
                    .iter()
                    .map(|(option, n)| {
                        let rest = q.answered.saturating_sub(*n);
                        // For multiple choice the rest chose other options too, so only the count itself matters.
                        let hidden = hidden_total || hides(*n) || (q.kind != QuestionKind::Multiple && hides(rest));
                        PublishedCount {
                            option: option.clone(),
                            count: (!hidden).then_some(*n),
                            percent: if hidden { None } else { percent(*n, q.answered) },
                        }
                    })
                    .collect();
                PublishedQuestion {
                    id: q.id.clone(),
                    answered: (!hidden_total).then_some(q.answered),
                    counts,
                    mean: if hidden_total { None } else { q.mean },
                }
            })
            .collect();
        Published { responses: (!hides(self.responses)).then_some(self.responses), questions }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::DraftSurvey;
    use crate::response::RawResponse;

    fn survey() -> Survey {
        serde_json::from_value::<DraftSurvey>(serde_json::json!({
            "title": "T",
            "questions": [
                {"id": "satisfaction", "kind": "scale", "text": "How satisfied are you?"},
                {"id": "heard", "kind": "single", "text": "Listened to?", "options": ["Yes", "No", "Not sure"]},
                {"id": "helped", "kind": "multiple", "text": "Who helped?", "options": ["A", "B"]},
                {"id": "better", "kind": "text", "text": "Better?"}
            ]
        }))
        .unwrap()
        .check()
        .unwrap()
    }

    fn respond(s: &Survey, pairs: &[(&str, &str)]) -> Response {
        let mut raw = RawResponse::new();
        for (k, v) in pairs {
            raw.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        s.read_response(&raw, None).unwrap()
    }

    /// Suppression of 1 to 5, as the published results use.
    fn small(n: u64) -> bool {
        (1..=5).contains(&n)
    }

    #[test]
    fn counts_percentages_and_the_scales_mean_are_counted_from_responses() {
        let s = survey();
        let mut rs = Vec::new();
        for i in 0..20u32 {
            let point = (i % 5 + 1).to_string();
            let heard = if i < 14 { "Yes" } else { "No" };
            rs.push(respond(&s, &[("satisfaction", &point), ("heard", heard), ("helped", "A"), ("helped", "B")]));
        }
        rs.push(respond(&s, &[("better", "More contact")]));
        let r = tally(&s, &rs);
        assert_eq!(r.responses, 21);
        let sat = &r.questions[0];
        assert_eq!(sat.answered, 20);
        assert_eq!(sat.counts, [("1".into(), 4), ("2".into(), 4), ("3".into(), 4), ("4".into(), 4), ("5".into(), 4)]);
        assert_eq!(sat.mean, Some(3.0));
        assert_eq!(r.questions[1].counts[0], ("Yes".into(), 14));
        assert_eq!(r.questions[2].counts, [("A".into(), 20), ("B".into(), 20)]);
        assert_eq!(r.questions[3].texts, [(20, "More contact".to_owned())]);
        assert_eq!(percent(14, 20), Some(70.0));
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn published_results_hide_counts_of_one_to_five_and_counts_the_total_would_reveal() {
        let s = survey();
        let mut rs = Vec::new();
        for i in 0..20 {
            rs.push(respond(&s, &[("heard", if i < 17 { "Yes" } else { "No" }), ("satisfaction", "4")]));
        }
        let p = tally(&s, &rs).published(small);
        assert_eq!(p.responses, Some(20));
        let heard = &p.questions[1];
        // 3 said No: hidden; 17 said Yes, which with the total 20 would reveal the 3: hidden too.
        assert_eq!(heard.counts[0].count, None);
        assert_eq!(heard.counts[1].count, None);
        // Nobody said Not sure: 0 is shown, as 20 answered.
        assert_eq!(heard.counts[2].count, Some(0));
        assert_eq!(heard.answered, Some(20));
        // Everyone chose 4: 20 is shown (the rest is 0).
        assert_eq!(p.questions[0].counts[3].count, Some(20));
        assert_eq!(p.questions[0].mean, Some(4.0));
        // Nobody answered "helped": nothing to hide.
        assert_eq!(p.questions[2].answered, Some(0));
    }

    #[test]
    fn a_question_few_answered_is_hidden_whole_with_its_mean() {
        let s = survey();
        let rs: Vec<Response> = (0..3).map(|_| respond(&s, &[("satisfaction", "5")])).collect();
        let p = tally(&s, &rs).published(small);
        assert_eq!(p.responses, None);
        assert_eq!(p.questions[0].answered, None);
        assert_eq!(p.questions[0].mean, None);
        assert!(p.questions[0].counts.iter().all(|c| c.count.is_none() && c.percent.is_none()));
    }

    #[test]
    fn a_response_rate_is_those_who_responded_of_those_sent_it() {
        assert_eq!(ResponseRate { sent: 40, responded: 10 }.percent(), Some(25.0));
        assert_eq!(ResponseRate { sent: 0, responded: 0 }.percent(), None);
    }
}
