//! The forecast page through the real router: managers and board members only; an area without the
//! years of plans a forecast needs says so plainly. (The demo area's forecast, with its chart, scenario
//! and back-test, is checked in the browser tests and by `waymark forecast --from-store`.)

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn managers_and_board_members_see_the_forecast_page_and_no_one_else_does() {
    let app = TestApp::new().await;
    for role in ["manager", "board"] {
        let b = app.sign_in(role).await;
        let page = app.get("/forecast", Some(&b)).await;
        assert_eq!(page.status, StatusCode::OK, "{role}");
        assert!(page.body.contains("Forecast: children and young people with EHC plans"), "{role}");
        // The test area has no plan in force at two January censuses: nothing to estimate from.
        assert!(page.body.contains("A forecast cannot be made from these records"), "{}", page.body);
        let dash = app.get("/dashboard", Some(&b)).await;
        assert!(dash.body.contains("href=\"/forecast\""), "{role}: the dashboard links to the forecast");
        let csv = app.get("/forecast/data.csv?table=totals", Some(&b)).await;
        assert_eq!(csv.status, StatusCode::NOT_FOUND, "{role}: no forecast, nothing to download");
    }
    for role in ["caseworker", "senco", "health", "parent", "admin"] {
        let b = app.sign_in(role).await;
        assert_eq!(app.get("/forecast", Some(&b)).await.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(app.get("/forecast/data.csv", Some(&b)).await.status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_ne!(app.get("/forecast", None).await.status, StatusCode::OK);
}
