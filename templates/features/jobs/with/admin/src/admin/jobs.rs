//! `/admin/jobs`: the background jobs (src/jobs/), newest first, by state; failed and
//! cancelled ones can be queued again and queued ones cancelled, as
//! `cargo run -- jobs retry|cancel` do. Staff only; the buttons are forms, so the CSRF
//! layer guards them as every other.

use crate::jobs::health;
use crate::jobs::queue::{self, Changed};

use super::*;

/// How many jobs the page lists.
const SHOWN: i64 = 100;

/// The states the page filters by, in its menu's order.
const STATES: [&str; 5] = ["queued", "running", "failed", "done", "cancelled"];

/// `?status=failed`: only the jobs in that state.
#[derive(Debug, serde::Deserialize)]
pub(super) struct JobsQuery {
    status: Option<String>,
}

/// The admin's job routes, before the models' (`/admin/{model}`).
pub(super) fn routes() -> Router<crate::AppState> {
    Router::new()
        .route("/admin/jobs", get(list))
        .route("/admin/jobs/{id}/{action}", axum::routing::post(change))
}

/// `GET /admin/jobs`: the queue's figures, then the newest jobs.
async fn list(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    Query(query): Query<JobsQuery>,
) -> Result<Response, AppError> {
    page_of_jobs(&state, &page, query.status.as_deref(), StatusCode::OK, None).await
}

/// `POST /admin/jobs/{id}/retry` and `POST /admin/jobs/{id}/cancel`.
async fn change(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found());
    };
    let now = db::unix_now();
    let changed = match action.as_str() {
        "retry" => queue::retry(&state.db, id, now).await?,
        "cancel" => queue::cancel(&state.db, id, now).await?,
        _ => return Ok(not_found()),
    };
    answer(&state, &page, id, changed).await
}

/// Back to the list once done; otherwise the list again, with what stood in the way.
async fn answer(
    state: &crate::AppState,
    page: &Page,
    id: i64,
    changed: Changed,
) -> Result<Response, AppError> {
    let refused = match changed {
        Changed::Done => return Ok(Redirect::to("/admin/jobs").into_response()),
        Changed::NoSuchJob => return Ok(not_found()),
        Changed::NotApplicable => format!(
            "Job {id} is not in a state for that: a failed or cancelled job can be retried, \
             a queued one cancelled."
        ),
        Changed::Duplicate => {
            format!("Another job with the unique key of job {id} is queued or running.")
        }
    };
    page_of_jobs(state, page, None, StatusCode::CONFLICT, Some(refused)).await
}

/// The page, listing the jobs in `status` (every job when `None` or unknown).
async fn page_of_jobs(
    state: &crate::AppState,
    page: &Page,
    status: Option<&str>,
    code: StatusCode,
    refused: Option<String>,
) -> Result<Response, AppError> {
    let status = status.filter(|status| STATES.contains(status));
    let now = db::unix_now();
    let report = health::report(&state.db, state.config.is_production(), now).await?;
    let jobs: Vec<Value> = queue::list(&state.db, status, SHOWN)
        .await?
        .into_iter()
        .map(|job| {
            context! {
                id => job.id,
                name => job.name,
                queue => job.queue,
                status => job.status,
                attempts => format!("{}/{}", job.attempts, job.max_attempts),
                due => queue::due_text(job.run_at, now),
                error => job.last_error,
            }
        })
        .collect();
    let report = context! {
        workers => report.workers,
        due => report.due,
        waiting_seconds => report.waiting_seconds,
        running => report.running,
        failed => report.failed,
        problems => report.problems,
        warnings => report.warnings,
    };
    let context = context! {
        jobs, report, refused, status, states => STATES, shown => SHOWN, admin_page => "jobs",
    };
    Ok((code, render(page, "admin/jobs.html", context)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::testing::{Browser, PASSWORD, unique_email};
    use crate::jobs::Enqueue;

    /// A job of its own: the jobs' daily cleanup, in a queue no worker takes.
    async fn queued(state: &crate::AppState) -> i64 {
        let job = Enqueue::new(&crate::jobs::Cleanup).expect("serializes");
        let job = job.queue("admin-tests").at(db::unix_now() + 3600);
        job.push(&state.db).await.expect("queued").expect("new")
    }

    #[tokio::test]
    async fn staff_see_cancel_and_retry_jobs_and_others_may_not() {
        let (mut staff, state) = Browser::start().await;
        staff.log_in_as_new_user(&state, true).await;
        let id = queued(&state).await;
        let listed = staff.get("/admin/jobs?status=queued").await;
        assert_eq!(listed.status, StatusCode::OK);
        let cancel = format!("/admin/jobs/{id}/cancel");
        assert!(listed.body.contains(&cancel), "{}", listed.body);
        assert!(listed.body.contains("jobs.cleanup"), "{}", listed.body);

        let cancelled = staff.submit("/admin/jobs", &cancel, &[]).await;
        assert_eq!(
            cancelled.status,
            StatusCode::SEE_OTHER,
            "{}",
            cancelled.body
        );
        let again = staff.submit("/admin/jobs", &cancel, &[]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(
            again.body.contains("not in a state for that"),
            "{}",
            again.body
        );
        let retry = format!("/admin/jobs/{id}/retry");
        let listed = staff.get("/admin/jobs?status=cancelled").await;
        assert!(listed.body.contains(&retry), "{}", listed.body);
        let retried = staff.submit("/admin/jobs", &retry, &[]).await;
        assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
        let unknown = staff
            .submit("/admin/jobs", "/admin/jobs/999999999/retry", &[])
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let run = format!("/admin/jobs/{id}/run");
        let nonsense = staff.submit("/admin/jobs", &run, &[]).await;
        assert_eq!(nonsense.status, StatusCode::NOT_FOUND);

        // A user who is not staff sees nothing and changes nothing.
        let email = unique_email("member");
        let mut member = staff.stranger();
        member.register(&email, PASSWORD).await;
        assert_eq!(
            member.get("/admin/jobs").await.status,
            StatusCode::FORBIDDEN
        );
        let refused = member.submit("/account", &cancel, &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let queued_again: String = sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&state.db)
            .await
            .expect("a job");
        assert_eq!(queued_again, "queued");
    }
}
