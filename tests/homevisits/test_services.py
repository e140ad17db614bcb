"""Help at home: only staff book a visit, two people go, a coach opts in, travel time between a
visit and other shifts, the help is logged like any other, and citizens never see it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from digicoach.bookings import services as booking_services
from digicoach.bookings.models import BookingChannel
from digicoach.core import clock, timeslots
from digicoach.core.errors import Conflict, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.forms import SessionDetailsForm
from digicoach.helpdesk.models import HelpSession, SessionMode, Shift
from digicoach.helpdesk.services import common, editing, planning, shifts
from digicoach.helplog import services as helplog_services
from digicoach.helplog.rules import HelpDetails
from digicoach.homevisits import queries, services
from digicoach.homevisits.models import HomeVisit
from tests.helpdesk.factories import make_help_session
from tests.homevisits.conftest import book, visit_day, visit_input


def sign_up(coach, visit, actor=None):
    shift = shifts.sign_up(
        actor=actor or coach.user, coach=coach, session=visit.session, now=clock.now()
    )
    db.session.commit()
    return shift


# --- who books ---------------------------------------------------------------------------------


def test_the_desk_a_coordinator_and_partner_staff_book_a_visit(world):
    by_desk = book(world, world.desk)
    by_coordinator = book(world, world.coordinator, phone="0470 00 00 02")
    by_library = book(world, world.partner, location=world.library, phone="0470 00 00 03")

    for visit in (by_desk, by_coordinator, by_library):
        assert visit.session.mode == SessionMode.AT_HOME
        assert visit.session.coaches_min == 2
        assert visit.session.coaches_max == 2
    assert by_desk.street == "Brusselsesteenweg 120"
    assert by_desk.phone == "+32470123456"
    assert by_desk.citizen_key


def test_a_coach_cannot_book_a_home_visit(world):
    coach = world.coach()
    with pytest.raises(PermissionDenied):
        services.book_visit(actor=coach.user, data=visit_input(world.location), now=clock.now())


def test_staff_book_only_from_digipunten_they_work_for(world):
    with pytest.raises(ValidationFailed) as refused:
        services.book_visit(
            actor=world.kortrijk_desk, data=visit_input(world.location), now=clock.now()
        )
    assert "location_id" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        services.book_visit(actor=world.partner, data=visit_input(world.location), now=clock.now())
    assert "location_id" in refused.value.errors


def test_a_visit_in_the_past_with_a_bad_postcode_or_phone_is_refused_field_by_field(world):
    data = visit_input(
        world.location,
        day=clock.local_today() - timedelta(days=1),
        postcode="90",
        phone="12",
        street="",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.book_visit(actor=world.desk, data=data, now=clock.now())
    assert {"day", "postcode", "phone", "street"} <= set(refused.value.errors)
    with pytest.raises(ValidationFailed) as refused:
        services.book_visit(
            actor=world.desk,
            data=visit_input(world.location, start_time=time(9), end_time=time(13)),
            now=clock.now(),
        )
    assert "end_time" in refused.value.errors


def test_a_citizen_has_one_coming_home_visit_and_a_double_submit_books_once(world):
    first = book(world, token="t" * 43)
    again = book(world, token="t" * 43)
    assert again.id == first.id
    with pytest.raises(services.VisitPlanned):
        book(world, day=visit_day(5))


# --- two people go, chosen when the visit is booked ----------------------------------------


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _refused(world, actor=None, **values):
    """Book with `values`; return the field errors, after checking nothing was written."""
    db.session.commit()
    visits, sessions, shifts_before = _count(HomeVisit), _count(HelpSession), _count(Shift)
    with pytest.raises(ValidationFailed) as refused:
        services.book_visit(
            actor=actor or world.desk,
            data=visit_input(world.location, **values),
            now=clock.now(),
        )
    db.session.commit()  # even a caller that commits after the refusal keeps nothing
    assert (_count(HomeVisit), _count(HelpSession), _count(Shift)) == (
        visits,
        sessions,
        shifts_before,
    )
    return refused.value.errors


def test_a_home_visit_cannot_be_booked_with_one_coach(world):
    coach = world.coach()
    errors = _refused(world, coach_ids=(coach.id,))
    assert set(errors) == {"second_id"}
    assert "choose a second digicoach, or go along yourself" in str(errors["second_id"][0])


def test_a_home_visit_cannot_be_booked_without_a_coach(world):
    errors = _refused(world, coach_ids=())
    assert "coach_id" in errors
    # Going along yourself does not replace the digicoach.
    assert "coach_id" in _refused(world, coach_ids=(), companion=True)


def test_with_two_coaches_the_visit_is_booked_and_staffed(world):
    first, second = world.coach(), world.coach()
    visit = book(world, coach_ids=(first.id, second.id))

    assert services.is_staffed(visit)
    assert visit.session.coaches_min == 2 and visit.session.coaches_taken == 2
    on_it = {shift.coach_id for shift in helpdesk_queries.active_shifts(visit.session)}
    assert on_it == {first.id, second.id}
    assert all(
        shift.signed_up_by_id == world.desk.id
        for shift in helpdesk_queries.active_shifts(visit.session)
    )
    with pytest.raises(common.SessionFull):
        sign_up(world.coach(), visit)


def test_with_one_coach_and_the_staff_member_who_goes_along_the_visit_is_booked(world):
    coach = world.coach()
    visit = book(world, coach_ids=(coach.id,), companion=True)

    assert visit.companion_id == world.desk.id
    assert visit.session.coaches_min == 1
    assert services.is_staffed(visit)


def test_the_same_coach_twice_is_refused(world):
    coach = world.coach()
    errors = _refused(world, coach_ids=(coach.id, coach.id))
    assert "different" in str(errors["second_id"][0])


def test_two_coaches_and_the_staff_member_as_well_is_refused(world):
    errors = _refused(world, coach_ids=(world.coach().id, world.coach().id), companion=True)
    assert "not both" in str(errors["second_id"][0])


def test_a_coach_who_does_not_do_home_visits_is_refused(world):
    stays = world.coach(home_visits=False)
    errors = _refused(world, coach_ids=(world.coach().id, stays.id))
    assert set(errors) == {"second_id"}
    assert "does not do home visits" in str(errors["second_id"][0])


def test_a_coach_of_another_municipality_or_unknown_is_refused(world):
    elsewhere = world.coach(municipality=world.kortrijk)
    errors = _refused(world, coach_ids=(elsewhere.id, "99999999"))
    assert "does not help in Gent" in str(errors["coach_id"][0])
    assert "Choose a digicoach from the list." in str(errors["second_id"][0])


def test_a_coach_busy_within_the_travel_time_is_refused_and_nothing_is_written(world):
    busy = world.coach()
    _digipunt_shift(world, busy, time(12), time(14))
    errors = _refused(
        world, coach_ids=(world.coach().id, busy.id), start_time=time(10), end_time=time(11, 45)
    )
    assert set(errors) == {"second_id"}
    assert "cannot go" in str(errors["second_id"][0])
    assert "30 minutes" in str(errors["second_id"][0])
    # The coach who was free got no shift either (the count check in _refused).


def test_a_coach_on_another_visit_at_that_time_is_refused(world):
    coach = world.coach()
    book(world, coach_ids=(coach.id, world.coach().id))
    errors = _refused(world, coach_ids=(coach.id, world.coach().id), phone="0470 00 00 05")
    assert "Already on a help session at that time" in str(errors["coach_id"][0])


def test_a_coach_who_cancels_leaves_the_visit_on_the_staffing_board_lacking_one(world):
    leaves = world.coach()
    visit = book(world, coach_ids=(leaves.id, world.coach().id))
    shift = next(
        s for s in helpdesk_queries.active_shifts(visit.session) if s.coach_id == leaves.id
    )
    shifts.cancel_shift(actor=leaves.user, shift=shift, now=clock.now())
    db.session.commit()

    assert not services.is_staffed(visit)
    staffing = helpdesk_queries.staffing_of(visit.session)
    assert staffing.kind == "short"
    assert staffing.short_by == 1
    board = helpdesk_queries.board(world.coordinator, now=clock.now())
    rows = [row for group in board.locations for row in group.rows]
    on_board = [row for row in rows if row.session.id == visit.session.id]
    assert on_board and on_board[0].staffing.needs_coaches


def test_the_coach_beside_the_staff_member_cancelling_leaves_the_visit_empty(world):
    coach = world.coach()
    visit = book(world, coach_ids=(coach.id,), companion=True)
    (shift,) = helpdesk_queries.active_shifts(visit.session)
    shifts.cancel_shift(actor=world.desk, shift=shift, now=clock.now())
    db.session.commit()
    assert helpdesk_queries.staffing_of(visit.session).kind == "empty"


def test_only_coaches_who_opted_in_go_on_a_visit_or_see_it_in_find_a_shift(world):
    visit = book(world, companion=True)
    leaves = helpdesk_queries.active_shifts(visit.session)[0]
    shifts.cancel_shift(actor=world.desk, shift=leaves, now=clock.now())
    db.session.commit()
    stay_at_digipunt = world.coach(home_visits=False)
    with pytest.raises(common.SignUpRefused) as refused:
        sign_up(stay_at_digipunt, visit)
    assert refused.value.code == "no_home_visits"
    with pytest.raises(common.SignUpRefused):
        sign_up(stay_at_digipunt, visit, actor=world.coordinator)

    def offered(coach):
        page = helpdesk_queries.open_sessions_for_coach(
            coach, helpdesk_queries.ShiftFilters(), now=clock.now()
        )
        return [offer.session.id for offer in page.items]

    assert visit.session.id not in offered(stay_at_digipunt)
    assert visit.session.id in offered(world.coach())


def test_invitations_for_a_visit_go_only_to_coaches_who_opted_in(world):
    visit = book(world, companion=True)
    stay_at_digipunt = world.coach(home_visits=False)
    goes_out = world.coach()
    db.session.commit()

    candidates = helpdesk_queries.invitation_candidates(visit.session)

    assert goes_out in candidates
    assert stay_at_digipunt not in candidates


# --- travel time -------------------------------------------------------------------------------


def _digipunt_shift(world, coach, start, end):
    session = make_help_session(
        world.location,
        starts_at=timeslots.local_moment(visit_day(), start),
        ends_at=timeslots.local_moment(visit_day(), end),
    )
    db.session.commit()
    shifts.sign_up(actor=coach.user, coach=coach, session=session, now=clock.now())
    db.session.commit()
    return session


def _travel_refusal(errors):
    (message,) = errors["coach_id"]
    return str(message)


def test_a_visit_needs_travel_time_before_and_after_the_coachs_other_shifts(world):
    coach = world.coach()
    _digipunt_shift(world, coach, time(12), time(14))
    before = _refused(
        world, coach_ids=(coach.id, world.coach().id), start_time=time(10), end_time=time(11, 45)
    )
    assert "30 minutes of travel" in _travel_refusal(before)
    after = _refused(
        world, coach_ids=(coach.id, world.coach().id), start_time=time(14, 15), end_time=time(15)
    )
    assert "30 minutes of travel" in _travel_refusal(after)


def test_exactly_the_travel_time_apart_is_fine_and_digipunt_shifts_need_none(world):
    coach = world.coach()
    _digipunt_shift(world, coach, time(12), time(14))
    _digipunt_shift(world, coach, time(14), time(16))  # two digipunt shifts back to back
    visit = book(
        world, coach_ids=(coach.id, world.coach().id), start_time=time(10), end_time=time(11, 30)
    )
    assert services.is_staffed(visit)


def test_two_visits_need_travel_time_between_them(world):
    coach = world.coach()
    book(world, coach_ids=(coach.id, world.coach().id), start_time=time(10), end_time=time(11))
    errors = _refused(
        world,
        coach_ids=(coach.id, world.coach().id),
        phone="0470 00 00 08",
        start_time=time(11, 15),
        end_time=time(12),
    )
    assert "30 minutes of travel" in _travel_refusal(errors)


def test_a_coach_signing_up_later_keeps_the_travel_time_too(world):
    coach = world.coach()
    book(world, coach_ids=(coach.id, world.coach().id), start_time=time(10), end_time=time(11))
    # A visit with a digicoach and the staff member keeps a place for a second digicoach.
    second = book(
        world, companion=True, phone="0470 00 00 08", start_time=time(11, 15), end_time=time(12)
    )
    with pytest.raises(common.SignUpRefused) as refused:
        sign_up(coach, second)
    assert refused.value.code == "travel_time"


def test_the_travel_time_is_a_setting(world, app):
    app.config["HOME_VISIT_TRAVEL_MINUTES"] = 10
    coach = world.coach()
    _digipunt_shift(world, coach, time(12), time(14))
    book(world, coach_ids=(coach.id, world.coach().id), start_time=time(10), end_time=time(11, 50))


# --- citizens never book it; the help is logged like any other -----------------------------------


def test_the_citizen_booking_refuses_a_home_visit_at_every_door(world):
    visit = book(world)
    for channel in (BookingChannel.ONLINE, BookingChannel.PHONE):
        data = booking_services.BookingInput(
            help_session_id=visit.session.id,
            start=visit.session.starts_at,
            first_name="Ali",
            phone="0470 99 99 99",
            topic="email",
            language="nl",
            channel=channel,
        )
        with pytest.raises(ValidationFailed) as refused:
            booking_services.book(actor=world.desk, data=data, now=clock.now())
        assert "help_session_id" in refused.value.errors


def test_the_help_given_on_a_visit_is_logged_like_any_other(world, app):
    visit = book(world)
    shift = helpdesk_queries.active_shifts(visit.session)[0]
    coach = shift.coach
    details = HelpDetails(
        topics=("eid_itsme",),
        minutes=60,
        first_visit=True,
        outcome="solved",
        referred_to=None,
        did_it_themselves=True,
        follow_up=False,
        citizens=1,
        language="nl",
    )
    log = helplog_services.record_help(
        actor=coach.user,
        data=helplog_services.HelpInput(details=details, shift_id=shift.id),
        now=visit.session.ends_at,
    )
    assert log.help_session_id == visit.session.id
    assert log.coach_id == coach.id


def test_the_visit_list_shows_coming_visits_in_scope_only(world):
    visit = book(world)
    assert [row.visit.id for row in queries.coming_visits(world.coordinator, now=clock.now())] == [
        visit.id
    ]
    assert queries.coming_visits(world.kortrijk_desk, now=clock.now()) == []
    assert queries.coming_visits(world.partner, now=clock.now()) == []


def test_the_helpdesk_edit_refuses_a_home_visit_and_planning_offers_no_such_mode(world):
    visit = book(world)
    data = planning.SessionInput(
        location_id=world.location.id,
        day=visit_day(),
        start_time=time(10),
        end_time=time(12),
        mode="at_home",
    )
    with pytest.raises(Conflict):
        editing.update_session(
            actor=world.coordinator, session=visit.session, data=data, now=clock.now()
        )
    with pytest.raises(ValidationFailed) as refused:
        planning.create_session(actor=world.coordinator, data=data, now=clock.now())
    assert "mode" in refused.value.errors
    assert "at_home" not in [choice.value for choice in SessionDetailsForm.mode.kwargs["choices"]]


def test_the_desk_puts_coaches_on_home_visits_only_not_on_digipunt_sessions(world):
    coach = world.coach()
    session = make_help_session(
        world.location,
        starts_at=timeslots.local_moment(visit_day(), time(14)),
        ends_at=timeslots.local_moment(visit_day(), time(16)),
    )
    db.session.commit()
    with pytest.raises(PermissionDenied):
        shifts.sign_up(actor=world.desk, coach=coach, session=session, now=clock.now())
