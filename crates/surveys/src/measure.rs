//! The performance framework's survey measures. A pack's manual indicator may name a survey question
//! by its id and the answers that count as positive (`survey = { question = "satisfaction", positive
//! = ["4", "5"] }`); its value is then the percentage of answers to that question that are positive,
//! per period, instead of a figure entered by hand. The number of answers is its denominator, shown
//! with its chart.

use crate::response::Answer;

/// Answers to one question in one period: how many, and how many positive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    pub positive: u64,
    pub answered: u64,
}

/// Count answers: an answer is positive when any value it gives is among `positive` (a scale's point
/// as `"4"`, a choice's option as written).
pub fn count<'a>(answers: impl IntoIterator<Item = &'a Answer>, positive: &[String]) -> Counted {
    let mut c = Counted::default();
    for a in answers {
        let values = a.values();
        if values.is_empty() {
            continue;
        }
        c.answered += 1;
        if values.iter().any(|v| positive.contains(v)) {
            c.positive += 1;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_satisfaction_measure_counts_positive_answers_of_those_who_answered() {
        let answers = [Answer::Scale(5), Answer::Scale(4), Answer::Scale(2), Answer::Text("x".into()), Answer::Single("Yes".into())];
        let c = count(&answers, &["4".into(), "5".into()]);
        assert_eq!(c, Counted { positive: 2, answered: 4 });
        assert_eq!(count(&answers, &["Yes".into()]).positive, 1);
    }
}
