"""A coach of the pool (home Gent, also helping in Kortrijk) counts once in the programme's
coach figures, in their home municipality, and their help counts where it was given: live
and once rolled up alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from digicoach.coaches.models import CoachMunicipality, CoachStatus
from digicoach.extensions import db
from digicoach.progress import queries, tasks
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import certify, make_help_log
from tests.progress.test_rollups import _recount


def _pool_coach_helping_in_both(world, frozen):
    coach = make_working_coach(world.gent, status=CoachStatus.ACTIVE)
    coach.serves_rows.append(CoachMunicipality(municipality_id=world.kortrijk.id))
    certify(coach, world.programme)
    for location, days in ((world.location, 3), (world.kortrijk_location, 5)):
        session = make_help_session(location, starts_at=frozen - timedelta(days=days, hours=2))
        make_shift(session, coach)
        make_help_log(
            coach,
            helped_on=frozen.date() - timedelta(days=days),
            municipality_id=location.municipality_id,
            help_session_id=session.id,
            citizens=2 if location is world.kortrijk_location else 1,
        )
    db.session.commit()
    return coach


def _figures(world, frozen):
    whole = queries.whole_programme(world.programme.id, now=frozen)
    return {
        name: queries.figures(replace(whole, municipality_ids=ids) if ids else whole)
        for name, ids in (
            ("programme", None),
            ("gent", (world.gent.id,)),
            ("kortrijk", (world.kortrijk.id,)),
        )
    }


def _assert_counted_once_and_help_where_given(found):
    programme, gent, kortrijk = found["programme"], found["gent"], found["kortrijk"]
    assert (programme.coaches.certified, programme.coaches.active) == (1, 1)
    assert (gent.coaches.certified, gent.coaches.active) == (1, 1)
    assert (kortrijk.coaches.certified, kortrijk.coaches.active) == (0, 0)
    assert (gent.help.contacts, kortrijk.help.contacts, programme.help.contacts) == (1, 2, 3)


def test_the_pool_coach_counts_once_and_their_help_where_it_was_given(world, frozen):
    _pool_coach_helping_in_both(world, frozen)
    live = _figures(world, frozen)
    _assert_counted_once_and_help_where_given(live)

    assert tasks.roll_up(frozen) >= 2
    rolled = _figures(world, frozen)
    _assert_counted_once_and_help_where_given(rolled)
    whole = queries.whole_programme(world.programme.id, now=frozen)
    assert rolled["programme"] == live["programme"]
    assert _recount(whole)[0] == rolled["programme"]
