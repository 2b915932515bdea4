//! GOV.UK Frontend's built files (and Waymark's stylesheet and script), embedded in the binary by
//! `build.rs` and served under `/assets/`.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets/assets.rs"));

/// One embedded file, or 404.
pub async fn serve(Path(path): Path<String>) -> Response {
    let wanted = format!("/assets/{path}");
    match ASSETS.iter().find(|(p, _, _)| *p == wanted) {
        Some((_, mime, bytes)) => {
            ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "no such file").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    #[test]
    fn the_stylesheet_and_scripts_are_built_into_the_binary_without_the_gov_uk_font() {
        let css = ASSETS.iter().find(|(p, _, _)| *p == "/assets/waymark.css").expect("stylesheet");
        let text = std::str::from_utf8(css.2).unwrap();
        assert!(text.contains(".govuk-button"), "GOV.UK Frontend's styles are compiled in");
        assert!(!text.contains("GDS Transport"), "the GOV.UK font is for GOV.UK only");
        assert!(ASSETS.iter().any(|(p, _, _)| *p == "/assets/govuk-frontend.min.js"));
        assert!(ASSETS.iter().any(|(p, _, _)| *p == "/assets/app.js"));
    }
}
