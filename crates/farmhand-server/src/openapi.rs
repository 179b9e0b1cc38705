//! The OpenAPI 3.1 document, generated from the handlers' annotations and the
//! wire types' schemas.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{routes, sheets};

/// The service's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "farmhand",
        description = "Matches seasonal farm workers to farms short of hands, by date, distance and skill. \
            The problem and solution format is the contract of `spec/format.md`.",
    ),
    paths(
        routes::match_problem,
        routes::validate,
        routes::check,
        sheets::sheets_problem,
        sheets::export_assignments_csv,
        sheets::export_unfilled_csv,
        sheets::export_standby_csv,
        sheets::export_geojson,
        routes::submit_job,
        routes::job_status,
        routes::cancel_job,
        routes::job_solution,
        routes::job_events,
        routes::healthz,
        routes::readyz,
        routes::metrics,
        routes::openapi,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "match", description = "Synchronous matching, validation and checking"),
        (name = "sheets", description = "Spreadsheets (CSV) in, and a plan out as CSV sheets or a GeoJSON map"),
        (name = "jobs", description = "Background solves for problems too big to wait on"),
        (name = "ops", description = "Health, readiness, metrics and this document"),
    ),
)]
pub(crate) struct ApiDoc;

/// The document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
