//! The accountability board over the demo community's past month, checked against figures
//! counted by hand from `demo::history` (each report's times are written there).

mod common;

use common::{TestPlatform, ok_json, problem};
use linli_api::platform::{Board, PartyFigures};
use linli_api::{ErrorCode, FieldErrorCode, NextStep, Party, Report, ReportStatus};
use linli_platform::demo;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const HOUR: i64 = 3600;

fn at(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

fn row(board: &Board, party: Party) -> &PartyFigures {
    board.parties.iter().find(|p| p.party == party).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

async fn seeded() -> (TestPlatform, OffsetDateTime) {
    let t = TestPlatform::start_with(|c| c.seed_demo_history = true).await;
    // The history was counted back from the clock as it stood at the start.
    let seeded_at = {
        use linli_platform::clock::Clock;
        t.clock.now()
    };
    (t, seeded_at)
}

#[tokio::test]
async fn the_board_shows_the_hand_counted_figures_of_the_demo_month() {
    let (t, seeded_at) = seeded().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let path = format!(
        "/v1/estates/1/board?from={}&to={}",
        at(seeded_at - Duration::days(30)),
        at(seeded_at + Duration::hours(1))
    );
    let board: Board = ok_json(t.get(&resident, &path).await).await;
    assert_eq!(
        board.parties.iter().map(|p| p.party).collect::<Vec<_>>(),
        Party::ALL
    );

    // Property company: reports 1, 2, 3, 5, 7, 8, 9 and 10 reached it.
    let p = row(&board, Party::PropertyCompany);
    assert_eq!(p.received, 8);
    // First responses 30 min, 40 min, 1 h, 1 h, 2 h, 3 h, 4 h (report 9 unanswered): 1 h.
    assert_eq!(p.responded, 7);
    assert_eq!(p.median_first_response_seconds, Some(HOUR));
    // Resolved by it: 1 after 20 h, 3 after 30 h (its first fix), 2 after 48 h: 30 h.
    assert_eq!(p.resolved, 3);
    assert_eq!(p.median_resolution_seconds, Some(30 * HOUR));
    // Report 3 was reopened.
    assert_eq!(p.reopened, 1);
    assert!(close(p.reopened_share.unwrap(), 1.0 / 3.0));
    // Ratings 5/5/4, 4/4/3 and 3/4/2.
    assert_eq!(p.ratings, 3);
    let avg = p.average_rating.clone().unwrap();
    assert!(close(avg.attitude, 4.0));
    assert!(close(avg.quality, 13.0 / 3.0));
    assert!(close(avg.speed, 3.0));
    assert!(close(avg.overall, 34.0 / 9.0));

    // Community: reports 4 (seen after 2 h, fixed after 26 h) and 6 (seen after 1 h, then
    // handed to the street office): medians of two values.
    let c = row(&board, Party::Community);
    assert_eq!(c.received, 2);
    assert_eq!(c.median_first_response_seconds, Some(90 * 60));
    assert_eq!(c.resolved, 1);
    assert_eq!(c.median_resolution_seconds, Some(26 * HOUR));
    assert_eq!(c.reopened_share, Some(0.0));
    assert_eq!(c.average_rating, None);

    // Street office: report 6 reached it 3 h after filing, seen 2 h later, fixed on day 6.
    let s = row(&board, Party::StreetOffice);
    assert_eq!(s.received, 1);
    assert_eq!(s.median_first_response_seconds, Some(2 * HOUR));
    assert_eq!(s.median_resolution_seconds, Some(6 * 24 * HOUR - 3 * HOUR));

    // Owners' committee: report 5 reached it after a day, seen a day later, fixed on day 6.
    let o = row(&board, Party::OwnersCommittee);
    assert_eq!(o.received, 1);
    assert_eq!(o.median_first_response_seconds, Some(24 * HOUR));
    assert_eq!(o.median_resolution_seconds, Some(120 * HOUR));
    let avg = o.average_rating.clone().unwrap();
    assert!(close(avg.overall, 10.0 / 3.0));

    // Staff of the estate see the same board.
    let street = t.sign_in(demo::STREET_STAFF_PHONE).await;
    let same: Board = ok_json(t.get(&street, &path).await).await;
    assert_eq!(same, board);

    // A period that holds only the last two days: reports 7, 8, 9 and 10.
    let recent = format!(
        "/v1/estates/1/board?from={}&to={}",
        at(seeded_at - Duration::days(2)),
        at(seeded_at)
    );
    let recent: Board = ok_json(t.get(&resident, &recent).await).await;
    assert_eq!(row(&recent, Party::PropertyCompany).received, 4);
    assert_eq!(row(&recent, Party::PropertyCompany).resolved, 0);
    assert_eq!(row(&recent, Party::Community).received, 0);
    assert_eq!(
        row(&recent, Party::Community).median_first_response_seconds,
        None
    );
}

#[tokio::test]
async fn the_demo_month_shows_in_the_residents_list_with_one_report_late() {
    let (t, _) = seeded().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let mine: Vec<Report> = ok_json(t.get(&resident, "/v1/reports").await).await;
    let statuses: Vec<(ReportStatus, bool)> =
        mine.iter().map(|r| (r.status, r.clock.overdue)).collect();
    // Newest first: 8 in progress, 7 late, 6 resolved and waiting, 4 closed by the rule, 1.
    assert_eq!(
        statuses,
        [
            (ReportStatus::InProgress, false),
            (ReportStatus::Acknowledged, true),
            (ReportStatus::Resolved, false),
            (ReportStatus::Closed, false),
            (ReportStatus::Closed, false),
        ]
    );
    assert_eq!(mine[2].handling_party, Party::StreetOffice, "handed on");
    assert_eq!(mine[2].clock.next_step, NextStep::Confirm);
    assert_eq!(mine[4].rating.as_ref().map(|r| r.attitude), Some(5));
    // A new report carries on the numbering after the ten past ones.
    let filed: Report = ok_json(t.file(&resident, &common::leaking_pipe()).await).await;
    assert_eq!(filed.number, 11);
    // Neighbours' public reports show without their reporters.
    let estate: Vec<Report> = ok_json(t.get(&resident, "/v1/reports?scope=estate").await).await;
    assert_eq!(
        estate.len(),
        6 + 4,
        "own six and four public ones of neighbours"
    );
}

#[tokio::test]
async fn the_board_is_for_the_estates_people_and_periods_that_make_sense() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let volunteer = t.sign_in(demo::VOLUNTEER_PHONE).await;
    // With no period: the last 30 days, empty here.
    let board: Board = ok_json(t.get(&resident, "/v1/estates/1/board").await).await;
    assert_eq!(board.to - board.from, Duration::days(30));
    assert!(board.parties.iter().all(|p| p.received == 0));
    problem(
        t.get(&volunteer, "/v1/estates/1/board").await,
        403,
        ErrorCode::Forbidden,
    )
    .await;
    problem(
        t.get(&resident, "/v1/estates/2/board").await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    let backwards = problem(
        t.get(
            &resident,
            "/v1/estates/1/board?from=2025-03-01T00:00:00Z&to=2025-02-01T00:00:00Z",
        )
        .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(backwards.errors[0].field, "to");
    assert_eq!(backwards.errors[0].code, FieldErrorCode::EndBeforeStart);
    problem(
        t.get(&resident, "/v1/estates/1/board?from=yesterday").await,
        400,
        ErrorCode::MalformedRequest,
    )
    .await;
}

/// Found with the fuzz harness (`fuzz/`, target `platform_requests`): a `to` early in year 0
/// made a default start the answer could not write (a 500), and a period ending in year 9999
/// was stored as a moment in 1819 and counted nothing.
#[tokio::test]
async fn periods_at_the_ends_of_the_calendar_answer_and_count() {
    let t = TestPlatform::start().await;
    let resident = t.sign_in(demo::RESIDENT_PHONE).await;
    let filed = t.file(&resident, &common::leaking_pipe()).await;
    assert_eq!(filed.status(), 201);

    let board: Board = ok_json(
        t.get(&resident, "/v1/estates/1/board?to=0000-01-10T00:00:00Z")
            .await,
    )
    .await;
    assert_eq!(at(board.from), "0000-01-01T00:00:00Z");
    assert!(board.parties.iter().all(|p| p.received == 0));
    let empty = problem(
        t.get(&resident, "/v1/estates/1/board?to=0000-01-01T00:00:00Z")
            .await,
        422,
        ErrorCode::ValidationFailed,
    )
    .await;
    assert_eq!(empty.errors[0].code, FieldErrorCode::EndBeforeStart);

    let board: Board = ok_json(
        t.get(
            &resident,
            "/v1/estates/1/board?from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z",
        )
        .await,
    )
    .await;
    assert_eq!(row(&board, Party::PropertyCompany).received, 1);
}
