use super::*;
use waymark_documents::readback;
use waymark_domain::case::CeaseReason;
use waymark_domain::plan::PlanContents;

fn d(text: &str) -> Date {
    text.parse().unwrap()
}

fn facts(decision: &str) -> LetterFacts {
    LetterFacts {
        child_forename: "Amberly".into(),
        child_surname: "Quayle".into(),
        date_of_birth: d("2015-05-01"),
        reference: "EHC-1A2B3C4D".into(),
        authority: "Barnsley".into(),
        decision_date: d(decision),
        letter_date: d("2026-11-22"),
    }
}

#[test]
fn every_shipped_template_parses_and_every_letter_has_its_own_code() {
    for kind in LetterKind::ALL {
        assert!(Template::parse(kind, kind.default_template()).is_ok(), "{kind:?}: {:?}", Template::parse(kind, kind.default_template()));
        assert_eq!(LetterKind::parse(kind.code()), Some(kind));
    }
    assert_eq!(LetterKind::parse("decision to assess"), None);
}

#[test]
fn an_unknown_placeholder_is_refused_naming_it_and_its_line() {
    let text = "# Letter\nDear parent,\nThis is about {{child_nme}} and {{ case_reference }}.\nAlso {{colour}}";
    let errors = Template::parse(LetterKind::DecisionToAssess, text).unwrap_err();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].line, 3);
    assert_eq!(errors[0].to_string(), "Line 3: {{child_nme}} is not a placeholder Waymark knows: use one of those listed");
    assert_eq!(errors[1].line, 4);
    assert!(errors[1].to_string().contains("{{colour}}"));
}

#[test]
fn reg_13_1_a_comment_deadline_is_refused_in_a_letter_with_no_comment_window() {
    let errors = Template::parse(LetterKind::DecisionToAssess, "Comment by {{comment_deadline}}").unwrap_err();
    assert_eq!(errors, vec![TemplateError { line: 1, problem: Problem::NotInThisLetter(Placeholder::CommentDeadline) }]);
    assert!(errors[0].to_string().starts_with("Line 1: {{comment_deadline}} cannot be used in this letter"));
    assert!(Template::parse(LetterKind::DraftPlanNotice, "Comment by {{comment_deadline}}").is_ok());
    // Nothing to appeal in a decision to assess.
    assert!(Template::parse(LetterKind::DecisionToAssess, "Appeal by {{appeal_deadline}}").is_err());
}

#[test]
fn unclosed_placeholders_and_bold_and_empty_templates_are_refused_by_line() {
    let errors = Template::parse(LetterKind::FinalPlan, "fine\nDear {{child_name\n**bold").unwrap_err();
    assert_eq!(
        errors.iter().map(|e| (e.line, e.problem.clone())).collect::<Vec<_>>(),
        vec![(2, Problem::Unclosed), (3, Problem::UnclosedBold)]
    );
    assert_eq!(Template::parse(LetterKind::FinalPlan, "  \n ").unwrap_err()[0].problem, Problem::Empty);
    assert_eq!(Template::parse(LetterKind::FinalPlan, &"a".repeat(MAX_TEMPLATE_CHARS + 1)).unwrap_err()[0].problem, Problem::TooLong);
}

#[test]
fn reg_13_1_the_draft_plan_notice_gives_15_days_beginning_with_the_day_of_issue() {
    let template = Template::parse(LetterKind::DraftPlanNotice, LetterKind::DraftPlanNotice.default_template()).unwrap();
    let doc = template.fill(&facts("2026-11-10"));
    let pdf = readback::squash(&readback::pdf_text(&doc.to_pdf()).unwrap());
    assert!(pdf.contains("You have until 24 November 2026 to comment on the draft."), "{pdf}");
    assert!(pdf.contains("regulation 13(1)") && pdf.contains("section 38(2)(b)"), "{pdf}");
    assert!(pdf.contains("Amberly Quayle (date of birth 1 May 2015)") && pdf.contains("EHC-1A2B3C4D"));
    assert!(pdf.contains("draft education, health and care (EHC) plan for AQ"), "{pdf}");
    let docx = readback::docx(&doc.to_docx().unwrap()).unwrap();
    assert_eq!(docx.styled("Heading1").len(), 1);
    assert_eq!(docx.styled("Heading2").len(), 1);
    assert!(docx.headers.iter().any(|h| h.text.contains("Barnsley")));
    assert!(docx.body_text().contains("Ask us to name a particular school or college"));
}

#[test]
fn hesc_rule_20_and_reg_33_a_refusal_to_assess_gives_2_months_to_seek_mediation_and_appeal() {
    let template = Template::parse(LetterKind::DecisionNotToAssess, LetterKind::DecisionNotToAssess.default_template()).unwrap();
    // 31 December + 2 months is the last day of February.
    let doc = template.fill(&facts("2026-12-31"));
    let text = readback::squash(&readback::pdf_text(&doc.to_pdf()).unwrap());
    assert!(text.contains("You must appeal by 28 February 2027"), "{text}");
    assert!(text.contains("tell the mediation adviser by 28 February 2027"), "{text}");
    assert!(text.contains("section 51(2)(a)") && text.contains("regulation 5(1)"));
}

#[test]
fn bullets_become_one_list_and_bold_and_notices_keep_their_form() {
    let text = "Intro for {{child_initials}}\n- one\n- **two** {{case_reference}}\n! Mind {{decision_date}}";
    let doc = Template::parse(LetterKind::DecisionToAssess, text).unwrap().fill(&facts("2026-09-01"));
    assert_eq!(doc.blocks.len(), 3);
    assert_eq!(doc.blocks[0], Block::Paragraph(Paragraph::plain("Intro for AQ")));
    let Block::List(items) = &doc.blocks[1] else { panic!("{:?}", doc.blocks[1]) };
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].runs, vec![Run::bold("two"), Run::plain(" EHC-1A2B3C4D")]);
    assert_eq!(doc.blocks[2], Block::Notice(Paragraph::plain("Mind 1 September 2026")));
}

#[test]
fn the_decision_date_is_the_latest_event_the_letter_reports() {
    let events = vec![
        CaseEvent::new(d("2026-01-10"), CaseEventKind::DecidedToAssess),
        CaseEvent::new(d("2026-05-01"), CaseEventKind::FinalIssued { plan: PlanContents::default() }),
        CaseEvent::new(d("2027-04-20"), CaseEventKind::ReviewDecision { outcome: ReviewOutcome::Maintain }),
        CaseEvent::new(d("2027-06-01"), CaseEventKind::AmendedFinalIssued { plan: PlanContents::default() }),
    ];
    assert_eq!(LetterKind::DecisionToAssess.decision_date(&events), Some(d("2026-01-10")));
    assert_eq!(LetterKind::FinalPlan.decision_date(&events), Some(d("2027-06-01")));
    assert_eq!(LetterKind::ReviewNoChange.decision_date(&events), Some(d("2027-04-20")));
    assert_eq!(LetterKind::DecisionNotToAssess.decision_date(&events), None);
    assert_eq!(LetterKind::Ceasing.decision_date(&events), None);
    let ceased = [CaseEvent::new(d("2028-07-31"), CaseEventKind::Ceased { reason: CeaseReason::PaidEmployment })];
    assert_eq!(LetterKind::Ceasing.decision_date(&ceased), Some(d("2028-07-31")));
}
