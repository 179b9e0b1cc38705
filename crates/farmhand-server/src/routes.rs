//! The handlers: parse, call the engine on the blocking pool, render. No
//! matching logic lives here.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use farmhand::format::object;
use farmhand::{CheckReport, Issue, Problem, Solution, SolveConfig, SolveError};
use futures_util::Stream;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorBody};
use crate::examples;
use crate::extract::Json;
use crate::jobs::{self, JobState, JobStatus};
use crate::state::{Admitted, AppState, Uploading};

/// The answer of `POST /v1/validate`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ValidateResponse {
    /// True when the problem can be solved as it is.
    pub valid: bool,
    /// Every issue that makes the problem invalid.
    pub errors: Vec<Issue>,
    /// Suspicious but legal things in the problem.
    pub warnings: Vec<Issue>,
}

/// The body of `POST /v1/check`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The problem the solution claims to solve.
    #[serde(deserialize_with = "object::one")]
    pub problem: Problem,
    /// The solution to re-verify.
    #[serde(deserialize_with = "object::one")]
    pub solution: Solution,
}

/// The answer of `GET /healthz` and `GET /readyz`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` (alive) or `ready` (taking work).
    pub status: String,
}

/// One server-sent event of `GET /v1/jobs/{id}/events`, as the event-stream
/// format frames it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobEvent {
    /// `status` (a change of status, and the first event) or `progress`.
    pub event: String,
    /// A JobStatus as JSON text.
    pub data: String,
}

/// A panic on the blocking pool, with its message.
#[derive(Debug)]
pub(crate) struct Panicked(pub(crate) String);

impl From<Panicked> for ApiError {
    fn from(p: Panicked) -> Self {
        ApiError::Internal(format!("panic on the blocking pool: {}", p.0))
    }
}

/// Runs CPU-bound library work on tokio's blocking pool so the runtime stays
/// responsive; a panic in it becomes an error value, never a crashed server.
pub(crate) async fn on_blocking_pool<T, F>(work: F) -> Result<T, Panicked>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(err) => {
            let cause = match err.try_into_panic() {
                Ok(payload) => payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned()),
                Err(err) => err.to_string(),
            };
            Err(Panicked(cause))
        }
    }
}

/// What a solve on the blocking pool came to: the solution as JSON, a
/// serialisation error, the library's error, or a panic.
pub(crate) type SolveOutcome =
    Result<Result<Result<Vec<u8>, serde_json::Error>, SolveError>, Panicked>;

/// Solves on the blocking pool, holding `permit` (a solve slot) until the
/// solver really returns, even when the caller has given up on it, so the
/// bound on concurrent solves holds after a cancellation. Returns the outcome
/// and how long the solve took.
pub(crate) async fn solve_in_slot(
    state: &AppState,
    permit: tokio::sync::OwnedSemaphorePermit,
    problem: Problem,
    config: SolveConfig,
) -> (SolveOutcome, std::time::Duration) {
    let engine = state.engine();
    let started = Instant::now();
    let result = on_blocking_pool(move || {
        let _permit = permit;
        engine.solve(&problem, &config).map(|solution| serde_json::to_vec(&solution))
    })
    .await;
    (result, started.elapsed())
}

/// Refuses a problem with more slots than the server solves (`--max-slots`):
/// its work and its solution's size grow with them, and a small body can ask
/// for many. Counted without validating, before the problem waits for a
/// solve; only a problem over the limit is validated here, so that a typo
/// in a date (2206 for 2026: tens of thousands of slots) gets the 422 that
/// names it rather than advice to raise the limit. Gives the problem back.
async fn within_slot_limit(state: &AppState, problem: Problem) -> Result<Problem, ApiError> {
    let limit = state.config().max_slots;
    let slots = problem.slot_count();
    if slots <= limit {
        return Ok(problem);
    }
    let engine = state.engine();
    match on_blocking_pool(move || engine.validate(&problem)).await? {
        Err(err) => Err(ApiError::InvalidProblem(err)),
        Ok(_) => Err(ApiError::ProblemTooLarge { slots, limit }),
    }
}

/// Sets a cancel flag when dropped: a request whose client went away, or that
/// timed out, stops its solve.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Solve a problem and wait for the solution.
#[utoipa::path(
    post, path = "/v1/match", tag = "match",
    request_body(content = Problem, example = json!(examples::problem())),
    responses(
        (status = 200, description = "The solution", body = Solution),
        (status = 400, description = "Not JSON of the problem's shape", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 413, description = "Body over the limit, or more slots than the server solves (`problem_too_large`)", body = ErrorBody),
        (status = 415, description = "Body not declared as JSON", body = ErrorBody),
        (status = 422, description = "The problem is invalid: every issue, with its path, and the warnings", body = ErrorBody),
        (status = 503, description = "At capacity or shutting down; see Retry-After", body = ErrorBody),
        (status = 500, description = "A bug; the server log has the cause", body = ErrorBody),
        (status = 504, description = "The solve took longer than the request timeout", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn match_problem(
    State(state): State<AppState>,
    admitted: Admitted,
    Json(problem): Json<Problem>,
) -> Result<Response, ApiError> {
    let problem = within_slot_limit(&state, problem).await?;
    let timeout = state.config().request_timeout;
    let cancel = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(Arc::clone(&cancel));
    // A match the timeout or a gone client cuts short is counted too.
    let mut unrecorded =
        Unrecorded { state: &state, started: Instant::now(), outcome: Some("abandoned") };
    let work = async {
        let slots = state.solve_slots();
        let permit = slots
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("the solve semaphore was closed".into()))?;
        let config = SolveConfig { cancel: Some(Arc::clone(&cancel)), progress: None };
        let (result, took) = solve_in_slot(&state, permit, problem, config).await;
        let (response, outcome) = match result {
            Ok(Ok(Ok(json))) => (Ok(json_response(StatusCode::OK, json)), "ok"),
            Ok(Ok(Err(err))) => {
                (Err(ApiError::Internal(format!("serialising a solution: {err}"))), "panic")
            }
            Ok(Err(SolveError::Invalid(err))) => (Err(ApiError::InvalidProblem(err)), "invalid"),
            // Only this request cancels its solve, and only once it is gone.
            Ok(Err(SolveError::Cancelled)) => (Err(ApiError::Timeout(timeout)), "cancelled"),
            Err(panicked) => (Err(panicked.into()), "panic"),
        };
        state.metrics().record_solve("sync", outcome, took);
        response
    };
    let result = match tokio::time::timeout(timeout, work).await {
        Ok(result) => {
            unrecorded.outcome = None;
            result
        }
        Err(_) => {
            cancel.store(true, Ordering::Relaxed);
            unrecorded.outcome = Some("timeout");
            Err(ApiError::Timeout(timeout))
        }
    };
    drop(unrecorded);
    drop(admitted);
    result
}

/// Records a synchronous match that ended without recording itself: cut
/// short by the timeout (`timeout`), or dropped when its client went away
/// (`abandoned`, the outcome it starts with). `None` records nothing: the
/// match recorded itself.
struct Unrecorded<'a> {
    state: &'a AppState,
    started: Instant,
    outcome: Option<&'static str>,
}

impl Drop for Unrecorded<'_> {
    fn drop(&mut self) {
        if let Some(outcome) = self.outcome {
            self.state.metrics().record_solve("sync", outcome, self.started.elapsed());
        }
    }
}

/// Validate a problem without solving it.
#[utoipa::path(
    post, path = "/v1/validate", tag = "match",
    request_body(content = Problem, example = json!(examples::problem())),
    responses(
        (status = 200, description = "The verdict, every error and warning", body = ValidateResponse),
        (status = 400, description = "Not JSON of the problem's shape", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body not declared as JSON", body = ErrorBody),
        (status = 503, description = "At capacity or shutting down; see Retry-After", body = ErrorBody),
        (status = 500, description = "A bug; the server log has the cause", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn validate(
    State(state): State<AppState>,
    _admitted: Admitted,
    Json(problem): Json<Problem>,
) -> Result<Json<ValidateResponse>, ApiError> {
    let engine = state.engine();
    let verdict = on_blocking_pool(move || engine.validate(&problem)).await?;
    Ok(Json(match verdict {
        Ok(warnings) => ValidateResponse { valid: true, errors: Vec::new(), warnings },
        Err(err) => ValidateResponse { valid: false, errors: err.issues, warnings: err.warnings },
    }))
}

/// Re-verify a solution against its problem with the independent checker.
#[utoipa::path(
    post, path = "/v1/check", tag = "match",
    request_body(content = CheckRequest, example = json!(examples::check_request())),
    responses(
        (status = 200, description = "The checker's report", body = CheckReport),
        (status = 400, description = "Not JSON of the request's shape", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Body not declared as JSON", body = ErrorBody),
        (status = 503, description = "At capacity or shutting down; see Retry-After", body = ErrorBody),
        (status = 500, description = "A bug; the server log has the cause", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn check(
    State(state): State<AppState>,
    _admitted: Admitted,
    Json(request): Json<CheckRequest>,
) -> Result<Json<CheckReport>, ApiError> {
    let engine = state.engine();
    let report =
        on_blocking_pool(move || engine.check(&request.problem, &request.solution)).await?;
    Ok(Json(report))
}

/// Submit a problem to solve in the background.
#[utoipa::path(
    post, path = "/v1/jobs", tag = "jobs",
    request_body(content = Problem, example = json!(examples::problem())),
    responses(
        (status = 202, description = "Queued; poll `url` or follow `events_url`", body = JobStatus,
            headers(("location" = String, description = "The job's URL"))),
        (status = 400, description = "Not JSON of the problem's shape", body = ErrorBody),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 413, description = "Body over the limit, or more slots than the server solves (`problem_too_large`)", body = ErrorBody),
        (status = 415, description = "Body not declared as JSON", body = ErrorBody),
        (status = 422, description = "The problem is invalid: every issue, with its path, and the warnings", body = ErrorBody),
        (status = 503, description = "The job queue is full or the server is shutting down; see Retry-After", body = ErrorBody),
        (status = 500, description = "A bug; the server log has the cause", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn submit_job(
    State(state): State<AppState>,
    _uploading: Uploading,
    Json(problem): Json<Problem>,
) -> Result<Response, ApiError> {
    // Jobs are bounded by their own queue, not by the synchronous requests'
    // places: a flood of matches must not lock out job submission. Checked
    // before validating, and again when the job is created.
    if state.is_shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    // A problem too large for this server is told so, rather than to retry
    // if the queue filled while its body was read.
    let problem = within_slot_limit(&state, problem).await?;
    state.jobs().check_room()?;
    // Validate now, so that a broken problem is a 422 here rather than a
    // failed job later.
    let engine = state.engine();
    let (problem, verdict) = on_blocking_pool(move || {
        let verdict = engine.validate(&problem);
        (problem, verdict)
    })
    .await?;
    if let Err(err) = verdict {
        return Err(ApiError::InvalidProblem(err));
    }
    let job = state.jobs().create()?;
    let status = job.status();
    tracing::info!(job = %status.id, "job queued");
    jobs::spawn(state.clone(), job, problem);
    let location = HeaderValue::from_str(&status.url)
        .map_err(|err| ApiError::Internal(format!("job url as a header: {err}")))?;
    let mut response = (StatusCode::ACCEPTED, Json(status)).into_response();
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// The `{id}` of a job route. An id that cannot be one (not UTF-8 once
/// decoded) is no job: 404 in the JSON shape, as for any unknown id, not
/// axum's plain-text 400.
pub(crate) struct JobId(pub(crate) String);

impl FromRequestParts<AppState> for JobId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(JobId(id)),
            Err(_) => Err(ApiError::JobNotFound),
        }
    }
}

/// A job's status and progress.
#[utoipa::path(
    get, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job's status", body = JobStatus),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such job (or dropped after its retention time)", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn job_status(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Json<JobStatus>, ApiError> {
    let job = state.jobs().get(&id).ok_or(ApiError::JobNotFound)?;
    Ok(Json(job.status()))
}

/// Cancel a queued or running job; the solver stops promptly.
#[utoipa::path(
    delete, path = "/v1/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "Cancelled (or already cancelled)", body = JobStatus),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such job", body = ErrorBody),
        (status = 409, description = "The job already finished (done or failed)", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn cancel_job(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Json<JobStatus>, ApiError> {
    let job = state.jobs().get(&id).ok_or(ApiError::JobNotFound)?;
    let status = job.cancel()?;
    tracing::info!(job = %id, "job cancelled");
    Ok(Json(status))
}

/// A done job's solution.
#[utoipa::path(
    get, path = "/v1/jobs/{id}/solution", tag = "jobs",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The solution", body = Solution),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such job", body = ErrorBody),
        (status = 409, description = "The job is not done; `job` has its status", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn job_solution(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Response, ApiError> {
    let job = state.jobs().get(&id).ok_or(ApiError::JobNotFound)?;
    match job.solution() {
        Ok(json) => Ok(json_response(StatusCode::OK, json)),
        Err(status) => Err(ApiError::JobNotDone(status)),
    }
}

/// Server-sent events: a `status` event with the job's status now and at
/// every change of status, a `progress` event as dates finish; the stream
/// ends after the final status.
#[utoipa::path(
    get, path = "/v1/jobs/{id}/events", tag = "jobs",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "An event stream; each event's data is a JobStatus",
            content_type = "text/event-stream", body = JobEvent),
        (status = 401, description = "Missing or wrong bearer token", body = ErrorBody),
        (status = 404, description = "No such job", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn job_events(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let job = state.jobs().get(&id).ok_or(ApiError::JobNotFound)?;
    let changes = job.subscribe();
    // The state is (receiver, job, the status last sent, when); None ends
    // the stream.
    let first: Option<(_, _, Option<JobState>, Instant)> =
        Some((changes, job, None, Instant::now()));
    let stream = futures_util::stream::unfold(first, |next| async move {
        let (mut changes, job, last, sent) = next?;
        if let Some(last) = last {
            if changes.changed().await.is_err() {
                return None;
            }
            // Progress alone waits its turn, and the changes meanwhile fold
            // into one event: a long search reports thousands of dates.
            if changes.borrow().state == last {
                tokio::time::sleep_until((sent + PROGRESS_EVERY).into()).await;
            }
        }
        let snapshot = changes.borrow_and_update().clone();
        let status = job.render(&snapshot);
        let name = if last == Some(snapshot.state) { "progress" } else { "status" };
        // A JobStatus always serialises.
        let data = serde_json::to_string(&status).unwrap_or_default();
        let event = Event::default().event(name).data(data);
        let next = (!snapshot.state.is_finished()).then_some((
            changes,
            job,
            Some(snapshot.state),
            Instant::now(),
        ));
        Some((Ok(event), next))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// At most one `progress` event per this long on a job's event stream (a
/// change of status is sent at once).
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Liveness: answers while the process serves at all.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "Alive", body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// Readiness: fails once shutdown has begun.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, description = "Taking work", body = Health),
        (status = 503, description = "Shutting down", body = ErrorBody),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if state.is_shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    Ok(Json(Health { status: "ready".into() }))
}

/// Prometheus metrics: requests by route and status, solve durations, jobs
/// by status, rejected requests.
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text exposition",
        content_type = "text/plain; version=0.0.4", body = String)))]
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let text = state.metrics().render(&state.jobs().counts(), state.solves_running());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "ops",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub(crate) async fn openapi() -> Response {
    static DOC: OnceLock<Bytes> = OnceLock::new();
    let json =
        DOC.get_or_init(|| Bytes::from(crate::openapi::document().to_json().unwrap_or_default()));
    json_response(StatusCode::OK, json.clone())
}

/// The web page: the farmhand view with an input area, which sends problems
/// to this server's API (with the user's token, when auth is on). The page
/// itself needs no token: it holds no data.
pub(crate) async fn page() -> Response {
    static CSP: OnceLock<HeaderValue> = OnceLock::new();
    let csp = CSP.get_or_init(|| {
        // `frame-ancestors` only works as a header, so it is added here.
        let policy = format!("{}; frame-ancestors 'none'", farmhand_report::PAGE_CSP);
        HeaderValue::from_str(&policy)
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
    });
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, csp.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        farmhand_report::page_html(),
    )
        .into_response()
}

/// The fallback for unknown routes.
pub(crate) async fn no_route() -> ApiError {
    ApiError::NoRoute
}

/// The fallback for a known route with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

pub(crate) fn json_response(status: StatusCode, json: impl Into<Bytes>) -> Response {
    let mut response = (status, json.into()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
