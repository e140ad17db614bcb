"""After the booking: the coaches put on a visit and the citizen are told through the outbox;
staff change a visit's time and who goes under the booking's rules (travel time included), or
cancel it; every change tells the people it concerns, and a refusal changes nothing."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from digicoach.core import clock
from digicoach.core.errors import Conflict, PermissionDenied, ValidationFailed
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.services import shifts
from digicoach.homevisits import services
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session
from tests.homevisits.conftest import book, visit_day, visit_input


def _messages(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def _on_it(visit) -> set[int]:
    return {shift.coach_id for shift in helpdesk_queries.active_shifts(visit.session)}


def _change(world, visit, actor=None, **values):
    starts = clock.local(visit.session.starts_at)
    ends = clock.local(visit.session.ends_at)
    fields = {
        "day": starts.date(),
        "start_time": starts.time(),
        "end_time": ends.time(),
        "coach_ids": tuple(sorted(_on_it(visit))),
        "companion": visit.companion_id is not None,
    }
    fields.update(values)
    services.change_visit(
        actor=actor or world.desk,
        visit=visit,
        data=services.ChangeInput(**fields),
        now=clock.now(),
    )
    db.session.commit()


def test_booking_tells_the_coaches_and_the_citizen_in_their_language(world):
    first, second = world.coach(), world.coach()
    visit = book(world, coach_ids=(first.id, second.id), language="fr")

    mails = _messages("homevisits.assigned")
    assert {mail.recipient for mail in mails} == {first.user.email, second.user.email}
    assert all("Brusselsesteenweg" not in mail.body_text for mail in mails)  # no address
    assert all(f"/home-visits/{visit.id}" in mail.body_text for mail in mails)
    (sms,) = _messages("homevisits.booked")
    assert sms.channel == "sms" and sms.recipient == "+32470123456"
    assert sms.language == "fr" and "Maria" in sms.body_text and "domicile" in sms.body_text


def test_a_refused_booking_tells_nobody(world):
    busy = world.coach()
    book(world, coach_ids=(busy.id, world.coach().id), phone="0470 00 00 04")
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.book_visit(
            actor=world.desk,
            data=visit_input(world.location, coach_ids=(world.coach().id, busy.id)),
            now=clock.now(),
        )
    db.session.commit()
    assert _messages("homevisits.assigned") == [] and _messages("homevisits.booked") == []


def test_staff_change_the_time_and_the_coaches_hear_of_it(world):
    visit = book(world)
    kept = set(_on_it(visit))
    _change(world, visit, start_time=time(14), end_time=time(15, 30))

    assert clock.local(visit.session.starts_at).time() == time(14)
    assert _on_it(visit) == kept
    assert len(_messages("helpdesk.shift_moved")) == 2
    (sms,) = _messages("homevisits.moved")
    assert "14" in sms.body_text


def test_a_new_time_too_close_to_a_kept_coachs_other_shift_is_refused(world):
    coach = world.coach()
    visit = book(world, coach_ids=(coach.id, world.coach().id))
    session = make_help_session(
        world.location,
        starts_at=clock.local(visit.session.starts_at).replace(hour=15),
        ends_at=clock.local(visit.session.starts_at).replace(hour=17),
    )
    db.session.commit()
    shifts.sign_up(actor=coach.user, coach=coach, session=session, now=clock.now())
    db.session.commit()
    before = (visit.session.starts_at, visit.session.ends_at)

    with pytest.raises(ValidationFailed) as refused:
        _change(world, visit, start_time=time(13), end_time=time(14, 45))
    db.session.commit()

    assert "30 minutes of travel" in str(refused.value.errors["coach_id"][0])
    db.session.expire_all()
    assert (visit.session.starts_at, visit.session.ends_at) == before
    assert _messages("helpdesk.shift_moved") == [] and _messages("homevisits.moved") == []


def test_staff_swap_a_coach_and_both_are_told(world):
    leaving, staying, coming = world.coach(), world.coach(), world.coach()
    visit = book(world, coach_ids=(leaving.id, staying.id))
    _change(world, visit, coach_ids=(staying.id, coming.id))

    assert _on_it(visit) == {staying.id, coming.id}
    assert [m.recipient for m in _messages("helpdesk.shift_cancelled")] == [leaving.user.email]
    assigned = [m.recipient for m in _messages("homevisits.assigned")]
    assert assigned.count(coming.user.email) == 1
    assert _messages("homevisits.moved") == []


def test_a_change_keeps_two_people(world):
    coach = world.coach()
    visit = book(world, coach_ids=(coach.id, world.coach().id))
    with pytest.raises(ValidationFailed) as refused:
        _change(world, visit, coach_ids=(coach.id,))
    assert "second_id" in refused.value.errors
    db.session.rollback()
    _change(world, visit, coach_ids=(coach.id,), companion=True)
    assert _on_it(visit) == {coach.id}
    assert visit.companion_id == world.desk.id
    assert services.is_staffed(visit)


def test_staff_cancel_a_visit_and_everyone_is_told(world):
    visit = book(world)
    services.cancel_visit(actor=world.desk, visit=visit, reason="Ziek", now=clock.now())
    db.session.commit()

    assert visit.session.is_cancelled
    assert len(_messages("helpdesk.session_cancelled")) == 2
    assert len(_messages("homevisits.cancelled")) == 1
    with pytest.raises(Conflict):
        _change(world, visit)


def test_only_staff_of_the_visits_digipunt_change_or_cancel_it(world):
    visit = book(world)
    with pytest.raises(PermissionDenied):
        services.cancel_visit(actor=world.kortrijk_desk, visit=visit, reason="x", now=clock.now())
    with pytest.raises(PermissionDenied):
        _change(world, visit, actor=world.partner)


def test_the_change_page_changes_and_cancels(world, client):
    leaving, staying, coming = world.coach(), world.coach(), world.coach()
    visit = book(world, coach_ids=(leaving.id, staying.id))
    sign_in(client, world.desk)
    page = client.get(f"/home-visits/{visit.id}/change")
    assert page.status_code == 200
    assert f'<option selected value="{leaving.id}">' in page.get_data(as_text=True)
    form = {
        "day": visit_day().isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "coach_id": str(staying.id),
        "second_id": "",
    }
    refused = client.post(f"/home-visits/{visit.id}/change", data=form)
    assert refused.status_code == 422
    assert "go along yourself" in refused.get_data(as_text=True)
    done = client.post(
        f"/home-visits/{visit.id}/change", data={**form, "second_id": str(coming.id)}
    )
    assert done.status_code == 303
    assert _on_it(visit) == {staying.id, coming.id}

    assert client.post(f"/home-visits/{visit.id}/cancel", data={}).status_code == 422
    cancelled = client.post(f"/home-visits/{visit.id}/cancel", data={"cancel-reason": "Ziek"})
    assert cancelled.status_code == 303
    db.session.expire_all()
    assert visit.session.is_cancelled
    sign_in(client, world.kortrijk_desk)
    assert client.get(f"/home-visits/{visit.id}/change").status_code == 404
