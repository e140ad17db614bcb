"""The desk's GET pickers (digipunt, and topic and language on the booking page) are read
leniently: a first visit shows no error, a value the desk cannot have is ignored with one note."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in


@pytest.mark.parametrize("path", ["/desk", "/desk/book", "/desk/walk-ins"])
def test_a_first_visit_shows_no_error_and_no_note(client, world, path):
    sign_in(client, world.desk)
    html = client.get(path).get_data(as_text=True)
    assert "Not a valid choice" not in html
    assert "filter-note" not in html and "field-error" not in html


@pytest.mark.parametrize("path", ["/desk", "/desk/book", "/desk/walk-ins"])
def test_a_digipunt_outside_the_desks_scope_is_ignored_with_a_note(client, world, path):
    sign_in(client, world.desk)
    response = client.get(f"{path}?location_id={world.kortrijk_location.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A filter was ignored: unknown value." in html
    assert "Bib Kortrijk" not in html
    assert "field-error" not in html


def test_an_unknown_topic_on_the_booking_page_is_ignored_with_a_note(client, world):
    sign_in(client, world.desk)
    html = client.get(
        f"/desk/book?location_id={world.location.id}&topic=nonsense&language=nl"
    ).get_data(as_text=True)
    assert html.count("filter-note") == 1
    assert "A filter was ignored: unknown value." in html
    html = client.get(f"/desk/book?location_id={world.location.id}&topic=&language=").get_data(
        as_text=True
    )
    assert "filter-note" not in html
