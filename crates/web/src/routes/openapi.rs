//! The OpenAPI 3.1 document describing `/api/v1`, written by hand and checked by a test to list every
//! API route.

use axum::Json;
use serde_json::{json, Value};

/// Every API path and its methods: the document and the router are tested against each other.
pub const PATHS: &[(&str, &str, &str)] = &[
    ("/api/v1/me", "get", "The signed-in user, their role and the CSRF token to send with changes"),
    ("/api/v1/caseload", "get", "The LA caseload (caseworkers and managers), filtered, sorted and paged like the caseload page"),
    (
        "/api/v1/cases/{id}",
        "get",
        "A case as the user's role may see it: child summary, statutory clock, advice, plan, placements, timeline",
    ),
    ("/api/v1/cases/{id}/events", "post", "Record events on a case, based on the version you loaded (409 if it changed since)"),
    ("/api/v1/children/{id}", "get", "A child's multi-agency record as the user's role may see it, with `fact_sections`: the person-level facts of the sections the role reads"),
    ("/api/v1/pupils", "get", "A SENCO's pupils with SEN support or a plan, and what to send"),
    ("/api/v1/advice-requests", "get", "Advice requested of a professional's service, every request unless `show=open` (open ones only, as `/advice` lists by default), `status` `overdue` or `due`, `setting` (a URN), 50 a page (`page` from 1; `total`, `page`, `pages`, `page_size`); a bad `page` is a 400 `bad_query` naming the field"),
    ("/api/v1/my-cases", "get", "A family's own cases"),
    ("/api/v1/my-cases/{id}", "get", "One of a family's own cases, in plain English"),
    ("/api/v1/dashboard", "get", "The dashboard's aggregate tables (managers and board members)"),
    ("/api/v1/audit", "get", "The audit log of the user's LA (managers and administrators)"),
    ("/api/v1/users", "get", "Accounts of the user's LA (administrators)"),
    ("/api/v1/cases/{id}/documents", "get", "The documents on a case that the user's role may see (kinds as codes: `advice_health`, `family_views`, `draft_plan`, ...)"),
    ("/api/v1/cases/{id}/documents", "post", "Add a document: multipart fields `kind` and `file` (PDF, DOCX, ODT, RTF, JPEG or PNG up to 20 MB, type checked from the content); returns `document_id`, `sha256`, `size`, `kind`, `filename`"),
    ("/api/v1/documents/{id}", "get", "A document's bytes (every download is audited)"),
];

pub fn spec() -> Value {
    let mut paths = serde_json::Map::new();
    for (path, method, summary) in PATHS {
        let mut op = json!({
            "summary": summary,
            "security": [{"session": []}],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"}
            }
        });
        if path.contains("{id}") {
            op["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]);
        }
        if *path == "/api/v1/caseload" {
            op["parameters"] = json!(["stage", "status", "caseworker", "setting", "need", "sort", "page"]
                .iter()
                .map(|n| json!({"name": n, "in": "query", "required": false, "schema": {"type": if *n == "page" { "integer" } else { "string" }}}))
                .collect::<Vec<_>>());
        }
        if *path == "/api/v1/advice-requests" {
            op["parameters"] = json!(["show", "status", "setting", "page"]
                .iter()
                .map(|n| json!({"name": n, "in": "query", "required": false, "schema": {"type": if *n == "page" { "integer" } else { "string" }}}))
                .collect::<Vec<_>>());
            op["responses"]["400"] = json!({"$ref": "#/components/responses/Error"});
        }
        if *path == "/api/v1/audit" {
            op["parameters"] = json!([
                {"name": "child", "in": "query", "required": false, "schema": {"type": "string", "format": "uuid"}},
                {"name": "case", "in": "query", "required": false, "schema": {"type": "string", "format": "uuid"}}
            ]);
        }
        if *method == "post" {
            op["security"] = json!([{"session": [], "csrf": []}]);
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecordEvents"}}}});
            op["responses"]["409"] = json!({"$ref": "#/components/responses/Error"});
            op["responses"]["422"] = json!({"$ref": "#/components/responses/Error"});
            op["responses"]["400"] = json!({"$ref": "#/components/responses/Error"});
            if path.ends_with("/documents") {
                op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["kind", "file"],
                    "properties": {"kind": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}}});
                op["responses"]["413"] = json!({"$ref": "#/components/responses/Error"});
            }
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Waymark API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "EHC casework for a local area's SEND partnership. Every response is limited to what the signed-in user's role may see; a record outside it is a 404 exactly like a missing one."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "__Host-waymark_session", "description": "Named waymark_session when the server runs with --insecure-cookies (plain HTTP)."},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
            },
            "responses": {
                "Error": {"description": "A problem", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}}}},
                "RecordEvents": {"type": "object", "required": ["expected_version", "events"], "properties": {
                    "expected_version": {"type": "integer", "minimum": 1},
                    "reason": {"type": "string"},
                    "events": {"type": "array", "items": {"type": "object", "required": ["date", "type"], "properties": {
                        "date": {"type": "string", "format": "date"}, "type": {"type": "string", "description": "See docs/case-lifecycle.md"}}}}}}
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
