//! The queue with a clock the tests set (claims, retries, leases, unique keys, schedules,
//! transactions, recurring tasks, the roster), and workers running jobs for real.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::queue::{self, Changed, Claimed};
use super::schedule::{self, Ticked};
use super::*;
use crate::{AppState, db};

/// A queue no other test uses: tests may share a database.
fn fresh_queue() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    format!(
        "test-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes `key` into the settings table, so a test sees that it ran with the app's state.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    key: String,
}

impl Job for Record {
    const NAME: &'static str = "test.record";

    async fn run(self, state: AppState) -> Result<(), JobError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, 'ran')")
            .bind(&self.key)
            .execute(&state.db)
            .await?;
        Ok(())
    }
}

/// Fails every time, three times at most.
#[derive(Debug, Serialize, Deserialize)]
struct Fails;

impl Job for Fails {
    const NAME: &'static str = "test.fails";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, _state: AppState) -> Result<(), JobError> {
        Err(JobError::new("it went wrong"))
    }
}

/// Panics.
#[derive(Debug, Serialize, Deserialize)]
struct Panics;

impl Job for Panics {
    const NAME: &'static str = "test.panics";

    async fn run(self, _state: AppState) -> Result<(), JobError> {
        panic!("a job's bug");
    }
}

/// Takes an hour.
#[derive(Debug, Serialize, Deserialize)]
struct Slow;

impl Job for Slow {
    const NAME: &'static str = "test.slow";

    async fn run(self, _state: AppState) -> Result<(), JobError> {
        tokio::time::sleep(Duration::from_secs(60 * 60)).await;
        Ok(())
    }
}

static TEST_JOBS: &[Registered] = &[
    Registered::of::<Record>(),
    Registered::of::<Panics>(),
    Registered::of::<Slow>(),
];

/// A moment a year ahead, the clock of tests that set it: a real worker (another test's,
/// on a shared database) never takes the jobs these tests claim for abandoned.
fn later() -> i64 {
    db::unix_now() + 365 * 24 * 60 * 60
}

async fn state() -> AppState {
    AppState::from_env().await.expect("state builds")
}

async fn push<J: Job>(state: &AppState, job: &J, queue: &str, now: i64) -> i64 {
    let job = Enqueue::new(job).expect("serializes").queue(queue);
    job.push_at(&state.db, now)
        .await
        .expect("queued")
        .expect("new")
}

async fn claim(state: &AppState, queue: &str, now: i64) -> Option<Claimed> {
    let claimed = queue::claim(&state.db, queue, now, LEASE, 1).await;
    claimed.expect("claims").pop()
}

async fn status(state: &AppState, id: i64) -> (String, i32, i64, Option<String>) {
    sqlx::query_as("SELECT status, attempts, run_at, last_error FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .expect("a job")
}

#[tokio::test]
async fn jobs_are_claimed_by_priority_then_time_and_only_once_due() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    let job = |key: &str| Record {
        key: key.to_owned(),
    };
    let low = push(&state, &job("low"), &queue, now).await;
    let high = Enqueue::new(&job("high"))
        .expect("serializes")
        .queue(&queue);
    let high = high
        .priority(5)
        .push_at(&state.db, now)
        .await
        .expect("queued");
    let later = Enqueue::new(&job("later"))
        .expect("serializes")
        .queue(&queue);
    let later = later.priority(9).after(Duration::from_secs(100));
    let later = later.push_at(&state.db, now).await.expect("queued");

    assert_eq!(claim(&state, &queue, now).await.map(|job| job.id), high);
    assert_eq!(
        claim(&state, &queue, now).await.map(|job| job.id),
        Some(low)
    );
    assert_eq!(claim(&state, &queue, now + 99).await, None, "not due yet");
    let claimed = claim(&state, &queue, now + 100).await.expect("due");
    assert_eq!(Some(claimed.id), later);
    assert_eq!(claimed.attempts, 1);
    assert_eq!(
        claim(&state, &fresh_queue(), now + 100).await,
        None,
        "other queues"
    );
}

#[tokio::test]
async fn a_failing_job_waits_longer_each_time_then_is_kept_as_failed() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    let id = push(&state, &Fails, &queue, now).await;
    let mut at = now;
    for attempt in 1..=3 {
        let job = claim(&state, &queue, at).await.expect("due");
        assert_eq!((job.id, job.attempts), (id, attempt));
        queue::failed(&state.db, &job, "it went wrong", at)
            .await
            .expect("recorded");
        let delay = i64::try_from(queue::backoff(attempt).as_secs()).expect("small");
        if attempt < 3 {
            assert_eq!(claim(&state, &queue, at + delay - 1).await, None, "waits");
            at += delay;
        }
    }
    let (status, attempts, _, error) = status(&state, id).await;
    assert_eq!((status.as_str(), attempts), ("failed", 3));
    assert_eq!(error.as_deref(), Some("it went wrong"));
    assert_eq!(claim(&state, &queue, at + 1_000_000).await, None);
    assert_eq!(queue::backoff(1), Duration::from_secs(10));
    assert_eq!(queue::backoff(2), Duration::from_secs(20));
    assert_eq!(queue::backoff(100), queue::MAX_BACKOFF);
}

#[tokio::test]
async fn a_unique_job_is_queued_once_while_queued_or_running() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    let key = format!("{queue}-key");
    let job = || {
        Enqueue::new(&Fails)
            .expect("serializes")
            .queue(&queue)
            .unique(&key)
    };
    let first = job().push_at(&state.db, now).await.expect("queued");
    assert!(first.is_some());
    assert_eq!(job().push_at(&state.db, now).await.expect("no-op"), None);
    let claimed = claim(&state, &queue, now).await.expect("due");
    assert_eq!(job().push_at(&state.db, now).await.expect("no-op"), None);
    queue::succeeded(&state.db, &claimed, now)
        .await
        .expect("recorded");
    assert!(
        job()
            .push_at(&state.db, now)
            .await
            .expect("queued")
            .is_some()
    );
}

#[tokio::test]
async fn many_jobs_are_queued_at_once_in_claim_order_and_unique_keys_hold() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    let key = format!("{queue}-key");
    let job = |n: usize| {
        let job = Enqueue::new(&Record {
            key: format!("{queue}-{n}"),
        });
        job.expect("serializes")
            .queue(&queue)
            .priority(i32::from(n == 1500))
    };
    // Two statements' worth, the last two sharing a key with a job already queued.
    let taken = job(0).unique(&key).push_at(&state.db, now).await;
    assert!(taken.expect("queued").is_some());
    let many = (1..=2001).map(|n| {
        if n > 1999 {
            job(n).unique(&key)
        } else {
            job(n)
        }
    });
    let ids = {
        // Given back before claiming: a test's SQLite pool may hold one connection.
        let mut connection = state.db.acquire().await.expect("a connection");
        let none = Enqueue::push_all_at([], &mut connection, now).await;
        assert!(none.expect("nothing to queue").is_empty());
        Enqueue::push_all_at(many, &mut connection, now).await
    };
    // In the order queued: ids grow, and RETURNING gives them in no promised order.
    let mut ids = ids.expect("queued");
    ids.sort_unstable();
    assert_eq!(ids.len(), 1999, "the two with a taken key are left out");
    let first = claim(&state, &queue, now).await.expect("due");
    assert_eq!(first.id, ids[1499], "the one with a priority first");
    // Then the earliest, several at once: the one queued alone, then the first two of many.
    let three = queue::claim(&state.db, &queue, now, LEASE, 3).await;
    let mut three: Vec<i64> = three.expect("claims").iter().map(|job| job.id).collect();
    three.sort_unstable();
    assert_eq!(three.len(), 3);
    assert!(three[0] < ids[0], "the one queued alone");
    assert_eq!(three[1..], ids[..2]);
    assert_eq!(
        claim(&state, &queue, now).await.map(|job| job.id),
        Some(ids[2])
    );
}

#[tokio::test]
async fn a_job_whose_worker_died_is_claimed_again_once_its_lease_runs_out() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    let lease = i64::try_from(LEASE.as_secs()).expect("small");
    let id = push(&state, &Fails, &queue, now).await;
    let dead = claim(&state, &queue, now).await.expect("due");
    assert_eq!(claim(&state, &queue, now + lease - 1).await, None, "held");
    let again = claim(&state, &queue, now + lease + 1)
        .await
        .expect("taken over");
    assert_eq!((again.id, again.attempts), (id, 2));
    // The first worker's late word changes nothing.
    queue::succeeded(&state.db, &dead, now + lease + 2)
        .await
        .expect("ran");
    assert_eq!(status(&state, id).await.0, "running");
    // Abandoned on its last attempt, it is kept as failed.
    let last = claim(&state, &queue, now + 2 * lease + 2)
        .await
        .expect("taken over");
    assert_eq!(last.attempts, 3);
    let failed = queue::fail_abandoned(&state.db, &queue, now + 3 * lease + 3).await;
    assert!(failed.expect("updated") >= 1);
    let (status, _, _, error) = status(&state, id).await;
    assert_eq!(status, "failed");
    assert!(error.is_some_and(|error| error.contains("worker stopped")));
}

#[tokio::test]
async fn a_job_queued_in_a_transaction_exists_only_once_it_commits() {
    let (state, queue) = (state().await, fresh_queue());
    let job = || Enqueue::new(&Fails).expect("serializes").queue(&queue);
    let mut transaction = state.db.begin().await.expect("begins");
    job().push(&mut *transaction).await.expect("queued");
    transaction.rollback().await.expect("rolled back");
    assert_eq!(claim(&state, &queue, i64::MAX / 2).await, None);

    let mut transaction = state.db.begin().await.expect("begins");
    job().push(&mut *transaction).await.expect("queued");
    transaction.commit().await.expect("committed");
    assert!(claim(&state, &queue, i64::MAX / 2).await.is_some());
}

#[tokio::test]
async fn retry_and_cancel_apply_only_to_jobs_in_the_right_state() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    let id = push(&state, &Fails, &queue, now).await;
    assert_eq!(
        queue::cancel(&state.db, id, now).await.expect("ran"),
        Changed::Done
    );
    assert_eq!(claim(&state, &queue, now).await, None, "cancelled");
    assert_eq!(
        queue::cancel(&state.db, id, now).await.expect("ran"),
        Changed::NotApplicable
    );
    assert_eq!(
        queue::retry(&state.db, id, now).await.expect("ran"),
        Changed::Done
    );
    assert_eq!(
        queue::retry(&state.db, id, now).await.expect("ran"),
        Changed::NotApplicable
    );
    assert_eq!(claim(&state, &queue, now).await.map(|job| job.id), Some(id));
    assert_eq!(
        queue::retry(&state.db, i64::MAX, now).await.expect("ran"),
        Changed::NoSuchJob
    );
}

#[tokio::test]
async fn two_claims_at_once_take_two_different_jobs() {
    let (state, queue, now) = (state().await, fresh_queue(), later());
    for _ in 0..2 {
        push(&state, &Fails, &queue, now).await;
    }
    let (first, second) = tokio::join!(claim(&state, &queue, now), claim(&state, &queue, now));
    let (first, second) = (first.expect("one"), second.expect("another"));
    assert_ne!(first.id, second.id);
}

/// Waits up to ten seconds for `done`.
async fn eventually<F: Future<Output = bool>>(mut done: impl FnMut() -> F) {
    for _ in 0..500 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("not within ten seconds");
}

#[tokio::test]
async fn a_worker_runs_jobs_with_the_app_state_and_outlives_a_panic() {
    let (state, queue) = (state().await, fresh_queue());
    let key = format!("{queue}-ran");
    let record = push(&state, &Record { key: key.clone() }, &queue, db::unix_now()).await;
    let panics = push(&state, &Panics, &queue, db::unix_now()).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(state.clone())
        .queues(vec![queue.clone()])
        .jobs(TEST_JOBS)
        .schedule(&[]);
    let running = tokio::spawn(worker.run(stopped));

    eventually(|| async { status(&state, record).await.0 == "done" }).await;
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(&key)
        .fetch_optional(&state.db)
        .await
        .expect("query");
    assert_eq!(value.as_deref(), Some("ran"));
    eventually(|| async { status(&state, panics).await.3.is_some() }).await;
    let (status, attempts, _, error) = status(&state, panics).await;
    assert_eq!(
        (status.as_str(), attempts),
        ("queued", 1),
        "to be tried again"
    );
    assert!(error.is_some_and(|error| error.contains("panicked")));
    stop.send(()).expect("worker waiting");
    running.await.expect("worker stopped");
}

#[tokio::test]
async fn a_stopping_worker_puts_back_the_job_that_did_not_end() {
    let (state, queue) = (state().await, fresh_queue());
    let id = push(&state, &Slow, &queue, db::unix_now()).await;
    let unknown = Enqueue::new(&Fails).expect("serializes").queue(&queue);
    let unknown = unknown.priority(-1).push(&state.db).await.expect("queued");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(state.clone())
        .queues(vec![queue.clone()])
        .jobs(TEST_JOBS)
        .schedule(&[])
        .grace(Duration::from_millis(100));
    let running = tokio::spawn(worker.run(stopped));
    eventually(|| async { status(&state, id).await.0 == "running" }).await;
    // A job this app does not know fails with a message naming the list.
    let unknown = unknown.expect("new");
    eventually(|| async { status(&state, unknown).await.3.is_some() }).await;
    let error = status(&state, unknown).await.3.unwrap_or_default();
    assert!(error.contains("no job named test.fails"), "{error}");

    stop.send(()).expect("worker waiting");
    running.await.expect("worker stopped");
    let (status, attempts, _, _) = status(&state, id).await;
    assert_eq!((status.as_str(), attempts), ("queued", 0));
}

#[tokio::test]
async fn jobs_enqueue_checks_the_name_and_the_fields() {
    let state = state().await;
    let command = |name: &str, json: &str| JobsCommand::Enqueue {
        name: name.to_owned(),
        json: json.to_owned(),
    };
    let unknown = command("nothing", "null").run(&state.db).await;
    let unknown = unknown.expect_err("refused").to_string();
    assert!(unknown.contains("jobs.cleanup"), "{unknown}");
    let wrong = command(Cleanup::NAME, "{\"no\": 1}").run(&state.db).await;
    assert!(wrong.is_err());
    command(Cleanup::NAME, "null")
        .run(&state.db)
        .await
        .expect("queued");
}

#[tokio::test]
async fn cleanup_deletes_old_finished_jobs_only() {
    let (state, queue) = (state().await, fresh_queue());
    let now = db::unix_now();
    let old = push(&state, &Fails, &queue, now).await;
    let recent = push(&state, &Fails, &queue, now).await;
    let pending = push(&state, &Fails, &queue, now).await;
    let long_ago = now - 8 * 24 * 60 * 60;
    for (id, finished) in [(old, long_ago), (recent, now)] {
        sqlx::query("UPDATE jobs SET status = 'done', finished_at = $2 WHERE id = $1")
            .bind(id)
            .bind(finished)
            .execute(&state.db)
            .await
            .expect("updated");
    }
    Cleanup.run(state.clone()).await.expect("ran");
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE queue = $1 ORDER BY id")
        .bind(&queue)
        .fetch_all(&state.db)
        .await
        .expect("query");
    assert_eq!(left, [recent, pending]);
}

/// A recurring task of its own (tests may share a database), queueing a [`Fails`] to a
/// queue no worker takes.
fn recurring(cron: &'static str) -> Recurring {
    Recurring {
        name: Box::leak(fresh_queue().into_boxed_str()),
        cron,
        job: || Ok(Enqueue::new(&Fails)?.queue("recurring-tests")),
    }
}

async fn tick(state: &AppState, task: &Recurring, now: i64) -> Ticked {
    let crontab = task.crontab().expect("a valid expression");
    schedule::tick(&state.db, task, &crontab, now)
        .await
        .expect("ticks")
}

const DAY: i64 = 24 * 60 * 60;

#[tokio::test]
async fn each_tick_of_a_recurring_task_is_queued_once_however_many_workers_see_it() {
    let (state, now) = (state().await, later());
    let task = recurring("0 4 * * * UTC");
    // Seen for the first time, it waits for its next tick: 04:00 UTC.
    let first = tick(&state, &task, now).await;
    assert_eq!(first.queued, None);
    assert!(first.next > now && first.next - now <= DAY);
    assert_eq!(first.next % DAY, 4 * 60 * 60);

    // Three workers see the tick: one queues it.
    let at = first.next;
    let (one, two, three) = tokio::join!(
        tick(&state, &task, at),
        tick(&state, &task, at),
        tick(&state, &task, at + 30)
    );
    let queued: Vec<i64> = [one, two, three]
        .iter()
        .filter_map(|ticked| ticked.queued)
        .collect();
    assert_eq!(queued.len(), 1, "{one:?} {two:?} {three:?}");
    assert_eq!(one.next, at + DAY);
    assert_eq!(status(&state, queued[0]).await.0, "queued");

    // Three days with no worker: the missed ticks queue one job, once.
    let back = at + 3 * DAY + 60;
    assert!(tick(&state, &task, back).await.queued.is_some());
    assert_eq!(tick(&state, &task, back).await.queued, None);

    // A changed expression starts afresh, at its own next tick.
    let hourly = Recurring {
        cron: "30 * * * * UTC",
        ..task
    };
    let changed = tick(&state, &hourly, back).await;
    assert_eq!(changed.queued, None);
    assert_eq!(changed.next % (60 * 60), 30 * 60);
    assert!(tick(&state, &hourly, changed.next).await.queued.is_some());
}

#[test]
fn every_recurring_task_has_a_valid_expression_and_job() {
    for task in SCHEDULE {
        let crontab = task.crontab().expect("a valid expression");
        schedule::next_tick(&crontab, db::unix_now()).expect("a next tick");
        (task.job)().expect("its job serializes");
    }
    let wrong = Recurring {
        cron: "0 4 * *",
        ..recurring("0 4 * * * UTC")
    };
    let error = wrong.crontab().expect_err("refused").to_string();
    assert!(error.contains("0 4 * *"), "{error}");
}

#[test]
fn the_lease_setting_takes_seconds_from_3_to_a_day() {
    assert_eq!(lease_setting(None).ok(), Some(LEASE));
    assert_eq!(
        lease_setting(Some("10".to_owned())).ok(),
        Some(Duration::from_secs(10))
    );
    for wrong in ["2", "86401", "ten", "-5"] {
        let error = lease_setting(Some(wrong.to_owned())).expect_err("refused");
        assert!(error.to_string().contains("JOBS_LEASE_SECONDS"), "{error}");
    }
}

#[tokio::test]
async fn health_counts_workers_and_due_jobs_and_warns_of_sqlite_in_several_processes() {
    // Far ahead of every other test's clock: their workers are not alive then.
    let (state, queue) = (state().await, fresh_queue());
    let now = later() + 10 * 365 * DAY;
    let late = i64::try_from(health::LATE.as_secs()).expect("small");
    push(&state, &Fails, &queue, now - late - 1).await;
    let first = roster::join(&state.db, 1, std::slice::from_ref(&queue), now).await;
    let second = roster::join(&state.db, 2, std::slice::from_ref(&queue), now).await;
    let (first, second) = (first.expect("joined"), second.expect("joined"));

    let report = health::report(&state.db, true, now).await.expect("read");
    assert_eq!(report.workers, 2);
    assert!(
        report.due >= 1 && report.waiting_seconds > late,
        "{report:?}"
    );
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(
        report.warnings.is_empty(),
        health::MANY_PROCESSES,
        "{report:?}"
    );
    let development = health::report(&state.db, false, now).await.expect("read");
    assert!(development.warnings.is_empty(), "{development:?}");

    // One leaves, the other stops saying it is alive: due jobs then wait for nobody.
    roster::leave(&state.db, first).await.expect("left");
    let alive = i64::try_from(roster::ALIVE.as_secs()).expect("small");
    let later = now + alive + 1;
    assert_eq!(roster::running(&state.db, later).await.expect("read"), 0);
    let report = health::report(&state.db, true, later).await.expect("read");
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(report.problems[0].contains("no worker runs"), "{report:?}");
    roster::seen(&state.db, second, later).await.expect("seen");
    let report = health::report(&state.db, true, later).await.expect("read");
    assert!(report.problems.is_empty(), "{report:?}");
    roster::leave(&state.db, second).await.expect("left");
}
