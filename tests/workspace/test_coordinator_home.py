"""A coordinator's home: what needs them now, each a count of what the linked page lists, only
for their municipalities; gone once handled; and the programme against its targets."""

from __future__ import annotations

from datetime import date, timedelta

from digicoach.accounts.models import Role, UserMunicipality, UserRole
from digicoach.coaches.models import CoachStatus, ScreeningCheck
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.training import rules as training_rules
from tests.bookings.factories import in_days
from tests.coaches.factories import make_coach
from tests.helpdesk.factories import make_help_session, make_shift
from tests.progress.factories import certify
from tests.training.factories import make_cohort, make_session
from tests.workspace.conftest import count_of, home_page
from tests.workspace.factories import make_log_for, make_unfinished_screening


def test_applications_waiting_count_what_the_queue_lists_and_go_when_decided(client, world):
    waiting = [make_coach(world.gent) for _ in range(3)]
    make_coach(world.kortrijk)  # another municipality: not the coordinator's
    db.session.commit()

    page = home_page(client, world.coordinator)
    assert count_of(page, "applications") == 3
    assert 'href="/coaches/queue"' in page
    assert "3 found." in client.get("/coaches/queue").get_data(as_text=True)

    for coach in waiting:
        coach.status = CoachStatus.APPROVED
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "applications") is None


def test_screenings_to_finish_are_applicants_with_some_items_checked(client, world):
    started = [make_unfinished_screening(world.gent) for _ in range(2)]
    make_coach(world.gent)  # nothing checked yet: waiting, but no screening to finish
    make_coach(world.gent, screened=True)  # all three checked: ready for a decision
    db.session.commit()

    page = home_page(client, world.coordinator)
    assert count_of(page, "screenings") == 2
    assert count_of(page, "applications") == 4
    queue = client.get("/coaches/queue?screening=unfinished").get_data(as_text=True)
    assert "2 found." in queue
    assert "Only applicants whose screening is started but not finished." in queue

    for coach in started:
        for item in ("identity_seen", "good_conduct_seen"):
            coach.screening_checks.append(
                ScreeningCheck(item=item, checked_on=date(2026, 1, 6), recorded_at=clock.now())
            )
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "screenings") is None


def test_help_sessions_short_of_coaches_in_the_next_14_days_link_to_the_board(client, world):
    short = [
        make_help_session(world.location, starts_at=in_days(2, 14)),
        make_help_session(world.other_location, starts_at=in_days(9, 10)),
    ]
    make_help_session(world.location, starts_at=in_days(20, 14))  # after the 14 days
    make_help_session(world.kortrijk_location, starts_at=in_days(3, 14))  # not in scope
    db.session.commit()

    page = home_page(client, world.coordinator)
    assert count_of(page, "short-sessions") == 2
    assert "Invite matching digicoaches" in page
    assert 'href="/helpdesk/board"' in page
    board = client.get("/helpdesk/board").get_data(as_text=True)
    # The board says it week by week: one this week, one next week (the home's 14 days), and
    # one in the third week, which the home leaves for later.
    assert board.count("1 help session needs digicoaches") == 3

    coaches = [world.working_coach() for _ in short]
    with db.session.no_autoflush:
        for session, coach in zip(short, coaches, strict=True):
            make_shift(session, coach)
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "short-sessions") is None


def test_training_groups_below_their_minimum_are_those_the_training_page_flags(client, world):
    cohort = make_cohort(world.programme, [world.gent], minimum=6, status=training_rules.OPEN)
    make_session(cohort, starts_at=clock.now() + timedelta(days=5))
    elsewhere = make_cohort(world.programme, [world.kortrijk], minimum=6)
    make_session(elsewhere, starts_at=clock.now() + timedelta(days=5))
    db.session.commit()

    page = home_page(client, world.coordinator)
    assert count_of(page, "low-cohorts") == 1
    manage = client.get("/training/manage").get_data(as_text=True)
    assert manage.count("Warning: too few enrolments") == 1

    cohort.enrolled_count = 6
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "low-cohorts") is None


def test_shifts_that_ended_without_a_help_log_are_listed_and_go_once_logged(client, world):
    coach = world.working_coach(first_name="Lotte")
    yesterday = make_help_session(world.location, starts_at=in_days(-1, 14))
    shift = make_shift(yesterday, coach)
    old = make_help_session(world.location, starts_at=in_days(-30, 14))  # outside the window
    make_shift(old, coach)
    coming = make_help_session(world.location, starts_at=in_days(1, 14))  # not ended
    make_shift(coming, coach)
    kortrijk = make_help_session(world.kortrijk_location, starts_at=in_days(-1, 14))
    make_shift(kortrijk, world.working_coach(municipality=world.kortrijk))
    db.session.commit()

    page = home_page(client, world.coordinator)
    assert count_of(page, "missing-logs") == 1
    listing = client.get("/work/help-to-log").get_data(as_text=True)
    assert "1 shift</caption>" in listing
    assert f"/coaches/{coach.id}" in listing

    make_log_for(coach, shift.session)
    db.session.commit()
    assert count_of(client.get("/work").get_data(as_text=True), "missing-logs") is None
    assert "Every shift's help is logged." in client.get("/work/help-to-log").get_data(as_text=True)


def test_when_everything_is_handled_the_home_says_so(client, world):
    page = home_page(client, world.coordinator)
    assert 'data-summary="0"' in page
    assert "Everything is handled: nothing needs you right now." in page
    assert "No applications, staffing gaps, training groups or help logs wait for you." in page


def test_the_summary_counts_every_open_item(client, world):
    make_coach(world.gent)
    make_help_session(world.location, starts_at=in_days(2, 14))
    db.session.commit()
    page = home_page(client, world.coordinator)
    assert "2 things need you now." in page


def test_the_programme_figures_come_from_the_dashboard_against_the_targets(client, world):
    session = make_help_session(world.location, starts_at=in_days(-2, 10))
    make_log_for(world.coach, session, citizen_key="a" * 64)
    make_log_for(world.coach, session, citizen_key="b" * 64)
    certify(world.coach, world.programme)
    db.session.commit()

    page = home_page(client, world.coordinator)
    # The world's one digicoach is active with a certificate, so certified.
    assert count_of(page, "certified") == 1
    assert "certified digicoaches, of the target of 1,000" in page
    assert count_of(page, "citizens") == 2
    assert "citizens supported, of the target of 30,000" in page
    assert 'href="/progress/"' in page or 'href="/progress"' in page
    assert "(figures of your municipalities)" in page


def test_a_coordinator_who_is_also_a_digicoach_sees_both_sections(client, world):
    world.coach.user.role_rows.append(UserRole(role=Role.COORDINATOR.value))
    world.coach.user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    world.coach.user.totp_enabled_at = clock.now()
    world.coach.user.scope_rows.append(UserMunicipality(municipality_id=world.gent.id))
    db.session.commit()
    page = home_page(client, world.coach.user)
    for section in ("coordinator", "desk", "programme", "coach"):
        assert f'data-section="{section}"' in page
    assert 'data-section="system"' not in page
