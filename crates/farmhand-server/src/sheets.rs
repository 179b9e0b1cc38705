//! Spreadsheets in and out over HTTP: the workers and demands CSV files a job
//! centre keeps, read into a problem, and a plan written back as the CSV
//! sheets and the GeoJSON map the CLI writes. All the work is
//! farmhand-sheets'; these handlers decode, call it on the blocking pool and
//! answer its bytes unchanged.

use std::io;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use farmhand::format::object;
use farmhand::{Options, Problem, Solution};
use farmhand_sheets::{Encoding, ReadOptions, SheetInput};
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, ErrorBody};
use crate::examples;
use crate::extract::Json;
use crate::routes::{json_response, on_blocking_pool};
use crate::state::{Admitted, AppState};

/// The body of `POST /v1/sheets/problem`: the two spreadsheets as their
/// bytes, so that CP949 files from Korean Excel arrive as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetsRequest {
    /// The workers sheet: `id,lat,lon,max_travel_km,skills,availability,
    /// max_days,max_consecutive_days,excluded_farms,preferred_farms,crew`.
    #[serde(deserialize_with = "object::one")]
    pub workers: SheetFile,
    /// The demands sheet: `id,farm_id,lat,lon,start,end,workers_per_day,
    /// required_skills,priority`.
    #[serde(deserialize_with = "object::one")]
    pub demands: SheetFile,
    /// The files' character encoding; `auto` when left out.
    #[serde(default)]
    pub encoding: Option<SheetEncoding>,
}

/// One spreadsheet file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetFile {
    /// The file's name, as issues name it (`workers.csv:7:lat`); when left
    /// out or blank, `workers.csv` or `demands.csv`.
    #[serde(default)]
    pub name: Option<String>,
    /// The file's bytes in base64 (the standard alphabet; padding and line
    /// breaks optional, so `base64 workers.csv` works as it is).
    #[serde(deserialize_with = "from_base64")]
    #[schema(value_type = String, content_encoding = "base64")]
    pub base64: Vec<u8>,
}

/// The character encoding of the spreadsheets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum SheetEncoding {
    /// A byte order mark decides (UTF-8 or UTF-16); without one, UTF-8 when
    /// the bytes are valid UTF-8, CP949 otherwise.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// UTF-8, with or without a byte order mark.
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// CP949, a superset of EUC-KR: Korean Excel's "CSV (comma delimited)".
    #[serde(rename = "cp949", alias = "euc-kr")]
    Cp949,
}

impl From<SheetEncoding> for Encoding {
    fn from(encoding: SheetEncoding) -> Self {
        match encoding {
            SheetEncoding::Auto => Encoding::Auto,
            SheetEncoding::Utf8 => Encoding::Utf8,
            SheetEncoding::Cp949 => Encoding::Cp949,
        }
    }
}

/// The body of the export routes: a problem and a solution of it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The problem the solution solves (validated first).
    #[serde(deserialize_with = "object::one")]
    pub problem: Problem,
    /// The solution to write, as `POST /v1/match` answered it.
    #[serde(deserialize_with = "object::one")]
    pub solution: Solution,
}

/// Decodes the `base64` field while parsing, so that bad base64 is a 400
/// `malformed_json` naming the field, its line and column, like any other
/// value of the wrong shape.
fn from_base64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let text = String::deserialize(deserializer)?;
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT.decode(&compact).map_err(|err| {
        serde::de::Error::custom(format!(
            "not base64 (the standard alphabet A-Z a-z 0-9 + /): {err}"
        ))
    })
}

/// Read two spreadsheets (CSV) into a problem.
#[utoipa::path(
    post, path = "/v1/sheets/problem", tag = "sheets",
    request_body(content = SheetsRequest, example = json!(examples::sheets_request())),
    responses(
        (status = 200, description = "The problem the sheets describe, validated; \
            post it to /v1/match", body = Problem),
        (status = 400, description = "Not JSON of the request's shape, or a file that is not \
            base64 (`malformed_json`, with the field's path)", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body not declared as JSON", body = ErrorBody),
        (status = 422, description = "The sheets do not make a valid problem: every issue, \
            each with `file`, `line` and `column_name`", body = ErrorBody),
        (status = 503, description = "At capacity or shutting down; see Retry-After", body = ErrorBody),
        (status = 500, description = "A bug; the server log has the cause", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn sheets_problem(
    _admitted: Admitted,
    Json(request): Json<SheetsRequest>,
) -> Result<Response, ApiError> {
    let read = on_blocking_pool(move || {
        let input = |file: SheetFile, default: &str| {
            let name = file.name.filter(|n| !n.trim().is_empty());
            SheetInput::new(name.unwrap_or_else(|| default.to_owned()), file.base64)
        };
        let workers = input(request.workers, "workers.csv");
        let demands = input(request.demands, "demands.csv");
        let options = ReadOptions {
            encoding: request.encoding.unwrap_or_default().into(),
            options: Options::default(),
        };
        farmhand_sheets::read_problem(&workers, &demands, &options)
            .map(|problem| serde_json::to_vec(&problem))
    })
    .await?;
    match read {
        Ok(Ok(json)) => Ok(json_response(StatusCode::OK, json)),
        Ok(Err(err)) => Err(ApiError::Internal(format!("serialising a problem: {err}"))),
        Err(errors) => Err(ApiError::InvalidSheets(errors.issues)),
    }
}

/// What an export route writes.
#[derive(Debug, Clone, Copy)]
enum Export {
    Assignments,
    Unfilled,
    Standby,
    Geojson,
}

impl Export {
    fn file_name(self) -> &'static str {
        match self {
            Export::Assignments => "farmhand-assignments.csv",
            Export::Unfilled => "farmhand-unfilled.csv",
            Export::Standby => "farmhand-standby.csv",
            Export::Geojson => "farmhand-plan.geojson",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Export::Geojson => "application/geo+json",
            _ => "text/csv; charset=utf-8",
        }
    }

    /// The bytes farmhand-sheets writes, exactly as `farmhand match
    /// --format csv|geojson` writes them to files.
    fn write(self, problem: &Problem, solution: &Solution) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        match self {
            Export::Assignments => {
                farmhand_sheets::write_assignments_csv(problem, solution, &mut out)
            }
            Export::Unfilled => farmhand_sheets::write_unfilled_csv(problem, solution, &mut out),
            Export::Standby => farmhand_sheets::write_standby_csv(problem, solution, &mut out),
            Export::Geojson => farmhand_sheets::write_geojson(problem, solution, &mut out),
        }?;
        Ok(out)
    }
}

/// Validates the problem, then writes the export as a download.
async fn export(
    state: AppState,
    request: ExportRequest,
    what: Export,
) -> Result<Response, ApiError> {
    let engine = state.engine();
    let written = on_blocking_pool(move || match engine.validate(&request.problem) {
        Ok(_) => Ok(what.write(&request.problem, &request.solution)),
        Err(err) => Err(err),
    })
    .await?;
    let bytes = match written {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => return Err(ApiError::Internal(format!("writing an export: {err}"))),
        Err(err) => return Err(ApiError::InvalidProblem(err)),
    };
    let disposition = format!("attachment; filename=\"{}\"", what.file_name());
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(what.content_type())),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|err| ApiError::Internal(format!("a file name as a header: {err}")))?,
            ),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        bytes,
    )
        .into_response())
}

/// The errors every export route can answer, in the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only its OpenAPI description is used
enum ExportErrors {
    #[response(status = 400, description = "Not JSON of the request's shape")]
    Malformed(ErrorBody),
    #[response(status = 401, description = "Missing or wrong bearer token")]
    Unauthorized(ErrorBody),
    #[response(status = 413, description = "Body over the limit")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Body not declared as JSON")]
    NotJson(ErrorBody),
    #[response(status = 422, description = "The problem is invalid: every issue, with its path")]
    Invalid(ErrorBody),
    #[response(status = 503, description = "At capacity or shutting down; see Retry-After")]
    Busy(ErrorBody),
    #[response(status = 500, description = "A bug; the server log has the cause")]
    Bug(ErrorBody),
}

/// The assignments as a spreadsheet: one row per assignment,
/// `date,demand_id,farm_id,worker_id,crew,distance_km`, UTF-8 with a byte
/// order mark and CRLF (as Excel opens it cleanly).
#[utoipa::path(
    post, path = "/v1/export/assignments.csv", tag = "sheets",
    request_body(content = ExportRequest, example = json!(examples::check_request())),
    responses(
        (status = 200, description = "assignments.csv, byte for byte what `farmhand match \
            --format csv` writes", content_type = "text/csv; charset=utf-8", body = String,
            headers(("content-disposition" = String, description = "`attachment; filename=\"farmhand-assignments.csv\"`"))),
        ExportErrors,
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn export_assignments_csv(
    State(state): State<AppState>,
    _admitted: Admitted,
    Json(request): Json<ExportRequest>,
) -> Result<Response, ApiError> {
    export(state, request, Export::Assignments).await
}

/// The unfilled slots as a spreadsheet: one row per slot short of workers,
/// `date,demand_id,farm_id,missing,reason_code,reason_message,nearest_km,
/// eligible,taken_by,skill_gap`.
#[utoipa::path(
    post, path = "/v1/export/unfilled.csv", tag = "sheets",
    request_body(content = ExportRequest, example = json!(examples::check_request())),
    responses(
        (status = 200, description = "unfilled.csv, byte for byte what `farmhand match \
            --format csv` writes", content_type = "text/csv; charset=utf-8", body = String,
            headers(("content-disposition" = String, description = "`attachment; filename=\"farmhand-unfilled.csv\"`"))),
        ExportErrors,
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn export_unfilled_csv(
    State(state): State<AppState>,
    _admitted: Admitted,
    Json(request): Json<ExportRequest>,
) -> Result<Response, ApiError> {
    export(state, request, Export::Unfilled).await
}

/// The stand-ins as a spreadsheet: one row per stand-in, nearest first,
/// `date,demand_id,farm_id,rank,worker_id,distance_km`; only the header
/// when the solution has none (`options.standby_per_slot` 0).
#[utoipa::path(
    post, path = "/v1/export/standby.csv", tag = "sheets",
    request_body(content = ExportRequest, example = json!(examples::check_request())),
    responses(
        (status = 200, description = "standby.csv, byte for byte what `farmhand match \
            --format csv` writes", content_type = "text/csv; charset=utf-8", body = String,
            headers(("content-disposition" = String, description = "`attachment; filename=\"farmhand-standby.csv\"`"))),
        ExportErrors,
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn export_standby_csv(
    State(state): State<AppState>,
    _admitted: Admitted,
    Json(request): Json<ExportRequest>,
) -> Result<Response, ApiError> {
    export(state, request, Export::Standby).await
}

/// The plan as a GeoJSON map (RFC 7946, `[lon, lat]`): a point per worker
/// and per farm, a line from home to farm per assignment.
#[utoipa::path(
    post, path = "/v1/export/geojson", tag = "sheets",
    request_body(content = ExportRequest, example = json!(examples::check_request())),
    responses(
        (status = 200, description = "A FeatureCollection, byte for byte what `farmhand match \
            --format geojson` writes", content_type = "application/geo+json", body = Object,
            headers(("content-disposition" = String, description = "`attachment; filename=\"farmhand-plan.geojson\"`"))),
        ExportErrors,
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn export_geojson(
    State(state): State<AppState>,
    _admitted: Admitted,
    Json(request): Json<ExportRequest>,
) -> Result<Response, ApiError> {
    export(state, request, Export::Geojson).await
}
