//! Reading a page's query string. A value that cannot be read (`/caseload?page=abc`) gets the GOV.UK
//! "There is a problem" page naming the part of the address at fault, never the framework's raw text.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A page's query parameters, parsed into `T`; a bad one is an [`AppError::BadRequest`] in words.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        parse(query).map(PageQuery)
    }
}

/// Parse a query string, naming the first parameter that cannot be read.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    match serde_urlencoded::from_str::<T>(query) {
        Ok(value) => Ok(value),
        Err(_) => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
            let bad = pairs
                .iter()
                .find(|(k, v)| serde_urlencoded::from_str::<T>(&serde_urlencoded::to_string([(k, v)]).unwrap_or_default()).is_err());
            Err(AppError::BadRequest(match bad {
                Some((name, _)) => format!(
                    "The address of this page has a value for \u{201c}{}\u{201d} that cannot be read. Go back and choose again, or start from the menu.",
                    plain_name(name)
                ),
                None => "The address of this page cannot be read. Go back and choose again, or start from the menu.".into(),
            }))
        }
    }
}

/// A parameter's name as people read it.
fn plain_name(name: &str) -> String {
    match name {
        "page" => "page number".into(),
        "q" => "search".into(),
        other => other.chars().filter(|c| c.is_ascii_alphanumeric()).take(30).collect::<String>().replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct F {
        #[serde(default)]
        page: Option<usize>,
        #[serde(default)]
        #[allow(dead_code)]
        stage: String,
    }

    #[test]
    fn a_value_that_cannot_be_read_is_named_in_words() {
        assert_eq!(parse::<F>("page=2&stage=x").unwrap().page, Some(2));
        match parse::<F>("stage=x&page=abc") {
            Err(AppError::BadRequest(m)) => assert!(m.contains("page number") && !m.contains("invalid digit"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
