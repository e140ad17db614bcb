"""An invitation that reaches nobody says why (nobody speaks the language, everyone who fits is
busy or was invited already, ...) and names the nearest coaches with what they lack."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk import invitations, rules
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift

# --- the pure rule ----------------------------------------------------------------------------

SESSION = rules.SessionFacts(
    weekday=2,
    daypart="afternoon",
    languages=frozenset({"ar"}),
    topics=frozenset({"email"}),
    neighbourhood_id=7,
)
FITS = rules.CoachFacts(
    status="active",
    languages=frozenset({"ar"}),
    topics=frozenset({"email"}),
    neighbourhood_ids=frozenset({7}),
    availability=frozenset({(2, "afternoon")}),
)


def _coach(**changes):
    return rules.CoachFacts(**{**FITS.__dict__, **changes})


@pytest.mark.parametrize(
    ("changes", "misses"),
    [
        ({}, ()),
        ({"languages": frozenset({"nl"})}, ("language",)),
        ({"topics": frozenset({"job_search"})}, ("topic",)),
        ({"neighbourhood_ids": frozenset({8})}, ("neighbourhood",)),
        ({"neighbourhood_ids": frozenset()}, ()),  # helps anywhere in the municipality
        ({"availability": frozenset({(2, "morning")})}, ("availability",)),
        ({"wants_email": False}, ("no_email",)),
        ({"status": "in_training"}, ("status",)),
        (
            {"languages": frozenset({"nl"}), "availability": frozenset()},
            ("language", "availability"),
        ),
    ],
)
def test_each_mismatch_is_named(changes, misses):
    coach = _coach(**changes)
    assert rules.mismatches(coach, SESSION) == misses
    assert rules.matches(coach, SESSION) == (misses == ())


def test_with_a_fitting_coach_there_is_nothing_to_explain():
    assert rules.why_nobody({1: ("language",), 2: ()}) is None


def test_without_any_candidate_the_reason_is_that_there_is_nobody_to_ask():
    assert rules.why_nobody({}) == rules.NobodyToInvite("no_candidates", ())


def test_nobody_speaking_the_language_is_the_reason_and_the_near_matches_lack_only_that():
    found = rules.why_nobody({1: ("language",), 2: ("language", "topic"), 3: ("language",)})
    assert found.reason == "language"
    assert found.near == (1, 3, 2)  # one miss first, then those with one more


def test_the_first_step_that_leaves_nobody_is_the_reason():
    """Coach 1 speaks the language but is busy; coach 2 does not speak it. Not "nobody speaks
    the language" (coach 1 does): everyone who speaks it is busy."""
    found = rules.why_nobody({1: ("busy",), 2: ("language",)})
    assert found.reason == "busy"


def test_when_everyone_who_fits_was_invited_already_that_is_the_reason():
    found = rules.why_nobody(
        {1: ("invited",), 2: ("invited",), 3: ("topic", "availability", "busy")}
    )
    assert found.reason == "invited"
    assert found.near == (1, 2)  # three misses is not near


def test_a_coach_who_cannot_take_shifts_is_never_a_near_match():
    found = rules.why_nobody({1: ("status",), 2: ("language", "topic")})
    assert found.near == (2,)


def test_at_most_five_near_matches():
    found = rules.why_nobody({n: ("language",) for n in range(9)})
    assert found.near == (0, 1, 2, 3, 4)


# --- the service ------------------------------------------------------------------------------


def _tuesday_afternoon(world, **values):
    day = clock.local_today() + timedelta(days=1)
    while day.isoweekday() != 2:
        day += timedelta(days=1)
    return make_help_session(
        world.location,
        starts_at=timeslots.local_moment(day, time(14)),
        ends_at=timeslots.local_moment(day, time(16)),
        **values,
    )


FIT = {"topics": ("email",), "availability": ((2, "afternoon"),)}


def test_nobody_speaks_arabic_and_the_nearest_coaches_are_named(world):
    session = _tuesday_afternoon(world, languages=("ar",), topics=("email",))
    dutch = world.coach(first_name="Jan", last_name="Peeters", languages=("nl",), **FIT)
    world.coach(languages=("nl",), topics=("job_search",), availability=())
    db.session.commit()

    outcome = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    assert (outcome.invited, outcome.reason) == (0, "language")
    assert outcome.near[0].coach == dutch
    assert outcome.near[0].misses == ("language",)
    words = invitations.explain(outcome, session)
    assert words.reason == "Nobody speaks a language of this session (Arabic)."
    assert words.near[0] == ("Jan Peeters", "does not speak Arabic")


def test_everyone_who_fits_is_busy_then(world):
    session = _tuesday_afternoon(world, languages=("nl",), topics=("email",))
    busy = world.coach(languages=("nl",), **FIT)
    elsewhere = make_help_session(
        world.other_location, starts_at=session.starts_at, ends_at=session.ends_at
    )
    make_shift(elsewhere, busy)
    db.session.commit()
    outcome = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    assert outcome.reason == "busy"
    words = invitations.explain(outcome, session)
    assert words.reason == "Everyone who fits has another shift at that time."
    assert words.near[0][1] == "has another shift at that time"


def test_a_second_invitation_says_everyone_who_fits_was_invited_already(world, mailbox):
    session = _tuesday_afternoon(world, languages=("nl",), topics=("email",))
    world.coach(languages=("nl",), **FIT)
    db.session.commit()
    first = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    db.session.commit()
    second = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    assert (first.invited, second.invited, second.reason) == (1, 0, "invited")
    assert invitations.explain(second, session).near[0][1] == "was invited already"


def test_everyone_on_the_session_already_leaves_nobody_to_ask(world):
    session = _tuesday_afternoon(world, languages=("nl",), coaches_max=3)
    make_shift(session, world.coach(languages=("nl",), **FIT))
    db.session.commit()
    outcome = invitations.invite_matching_coaches(
        actor=world.coordinator, session=session, now=clock.now()
    )
    assert (outcome.reason, outcome.near) == ("no_candidates", ())


def test_the_board_shows_the_reason_and_the_nearest_coaches(client, world):
    session = _tuesday_afternoon(world, languages=("ar",), topics=("email",))
    world.coach(first_name="Jan", last_name="Peeters", languages=("nl",), **FIT)
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.post(
        f"/helpdesk/sessions/{session.id}/invite",
        data={"back": "session"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        "No new matching digicoach to invite. Nobody speaks a language of this session (Arabic)."
        in page
    )
    assert "Nearly fitting: Jan Peeters (does not speak Arabic)." in page
