//! The page templates (minijinja, HTML auto-escaped), built into the binary. GOV.UK Frontend's
//! components are ported as macros in `templates/govuk.html` with the components' markup kept as
//! published; pages extend `templates/layout.html`.

use crate::session::Signed;
use minijinja::{Environment, Value};
use serde_json::{json, Map};
use std::sync::LazyLock;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "layout.html",
    "govuk.html",
    "error.html",
    "sign_in.html",
    "sso_refused.html",
    "admin_sign_in_groups.html",
    "caseload.html",
    "case.html",
    "action_form.html",
    "action_check.html",
    "child.html",
    "pupils.html",
    "advice.html",
    "journey_list.html",
    "journey.html",
    "dashboard.html",
    "framework.html",
    "framework_groups.html",
    "framework_cases.html",
    "target.html",
    "small_numbers.html",
    "forecast.html",
    "sen2.html",
    "audit.html",
    "admin_users.html",
    "admin_user.html",
    "accessibility.html",
    "search.html",
    "my_work.html",
    "account.html",
    "sen2_choose.html",
    "sen2_settings.html",
    "placement_form.html",
    "placement_end.html",
    "case_documents.html",
    "document_remove.html",
    "notifications.html",
    "outbox.html",
    "two_step.html",
    "sign_in_code.html",
    "invitation.html",
    "local_offer_search.html",
    "local_offer_service.html",
    "local_offer_provider.html",
    "local_offer_edit.html",
    "local_offer_changes.html",
    "local_offer_change.html",
    "local_offer_report.html",
    "local_offer_new.html",
    "local_offer_providers.html",
    "surveys.html",
    "survey_new.html",
    "survey_question_fields.html",
    "survey.html",
    "survey_results.html",
    "survey_start.html",
    "survey_question.html",
    "survey_public_contact.html",
    "survey_check.html",
    "survey_thanks.html",
    "survey_closed.html",
    "survey_contacts.html",
    "strategy.html",
    "strategy_item.html",
    "strategy_self_evaluation.html",
    "strategy_history.html",
    "strategy_area.html",
    "strategy_report.html",
    "strategy_evidence.html",
    "strategy_published.html",
    "strategy_import.html",
    "feedback.html",
    "feedback_thanks.html",
    "feedback_list.html",
    "you_said_we_did_form.html",
    "case_letters.html",
    "admin_letters.html",
    "admin_letter.html",
    "you_said_we_did.html",
    "contribution_views.html",
    "contribution_school.html",
    "contribution_comments.html",
    "contribution_advice.html",
    "contributions.html",
    "complaints.html",
    "complaint.html",
    "complaint_new.html",
    "coproduction.html",
    "coproduction_new.html",
    "survey_question_edit.html",
);

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name} does not parse: {e:#}"));
    }
    env
});

/// The template environment.
pub struct Templates;

impl Templates {
    /// Parse every template now, so a broken one stops the server at start rather than on a page.
    pub fn load() {
        LazyLock::force(&ENV);
    }
}

/// Render `name` with `context`.
pub fn render(name: &str, context: &serde_json::Value) -> Result<String, minijinja::Error> {
    ENV.get_template(name)?.render(Value::from_serialize(context))
}

/// The context every signed-in page has: the user's name, role, navigation and CSRF token.
pub fn page(signed: &Signed, title: &str, current: &str, extra: serde_json::Value) -> serde_json::Value {
    let nav: Vec<_> = signed
        .access
        .navigation()
        .into_iter()
        .map(|(href, label)| json!({"href": href, "text": label, "active": current.starts_with(href)}))
        .collect();
    let mut base = Map::new();
    base.insert("title".into(), json!(title));
    base.insert("nav".into(), json!(nav));
    base.insert("signed_in".into(), json!(true));
    base.insert("user_name".into(), json!(signed.access.user.display_name));
    base.insert("role_label".into(), json!(signed.access.user.role.label()));
    base.insert("csrf".into(), json!(signed.csrf));
    if let serde_json::Value::Object(more) = extra {
        base.extend(more);
    }
    serde_json::Value::Object(base)
}

/// An error page; never fails (a broken template falls back to plain text).
pub fn render_error(_template: &str, title: &str, message: &str) -> String {
    render("error.html", &json!({"title": title, "message": message, "kind": _template}))
        .unwrap_or_else(|_| format!("<!DOCTYPE html><html lang=\"en\"><title>{title}</title><h1>{title}</h1></html>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_the_error_page_escapes_what_it_is_given() {
        Templates::load();
        let html = render_error("errors/400.html", "There is a problem", "<script>alert(1)</script>");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>alert"));
    }
}
