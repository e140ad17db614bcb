"""A coach counts as certified only with a certificate (issue 20 item 1): a status set by hand
is not an attest. Every channel reads the same definition (figures.has_certificate)."""

from __future__ import annotations

from datetime import date, timedelta

from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from digicoach.progress import queries
from digicoach.progress.queries.dashboard import _certified_days
from tests.factories import make_programme
from tests.helpdesk.factories import make_working_coach
from tests.progress.factories import certify


def _selection(world, frozen, *, ends_on: date | None = None) -> queries.Selection:
    return queries.Selection(
        programme=world.programme,
        municipality_ids=(world.gent.id, world.kortrijk.id),
        starts_on=world.programme.starts_on,
        ends_on=ends_on or world.programme.ends_on,
        now=frozen,
    )


def _certified(world, frozen, **period) -> int:
    return queries.figures(_selection(world, frozen, **period)).coaches.certified


def test_a_coach_certified_by_hand_without_a_certificate_is_not_counted(world, frozen):
    make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    make_working_coach(world.kortrijk, status=CoachStatus.ACTIVE)
    db.session.commit()
    assert _certified(world, frozen) == 0
    assert _certified_days(_selection(world, frozen)) == {}
    assert queries.programme_figures(world.programme.id, now=frozen)["coaches"]["certified"] == 0


def test_with_a_certificate_the_same_coach_is_counted(world, frozen):
    by_hand = make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    certify(by_hand, world.programme)
    db.session.commit()
    assert _certified(world, frozen) == 1
    assert sum(_certified_days(_selection(world, frozen)).values()) == 1


def test_a_certificate_of_another_programme_counts_too(world, frozen):
    other = make_programme(name="Digibank", municipalities=[world.gent])
    certify(make_working_coach(world.gent, status=CoachStatus.CERTIFIED), other)
    db.session.commit()
    assert _certified(world, frozen) == 1


def test_the_coach_counts_from_the_later_of_status_and_certificate(world, frozen):
    """Certified by hand in May, the certificate came in June: counted from June on."""
    coach = make_working_coach(world.gent, status=CoachStatus.CERTIFIED)
    coach.applied_at = coach.history[0].changed_at = frozen - timedelta(days=40)
    certify(coach, world.programme, issued_at=frozen - timedelta(days=5))
    db.session.commit()
    assert _certified(world, frozen, ends_on=(frozen - timedelta(days=20)).date()) == 0
    assert _certified(world, frozen) == 1
    assert _certified_days(_selection(world, frozen)) == {(frozen - timedelta(days=5)).date(): 1}
