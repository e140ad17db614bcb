"""After a failed POST the page starts with what went wrong: the error summary is the first
thing in <main> (before any other content, even on a long page such as the coach's file),
it lists every error with a link to its field, and it is there once."""

from __future__ import annotations

import re

import pytest

from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.conftest import sign_in


@pytest.fixture
def signed_in_coordinator(client, coordinator):
    sign_in(client, coordinator)
    return coordinator


def _main(html: str) -> str:
    return re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)


def test_approving_an_applicant_with_incomplete_screening_opens_at_the_error(
    client, gent, signed_in_coordinator
):
    coach = make_coach(gent)
    db.session.commit()
    page = client.post(f"/coaches/{coach.id}/status", data={"status-status": "approved"})
    main = _main(page.get_data(as_text=True)).lstrip()

    assert main.startswith('<div class="error-summary" role="alert"')
    summary = main[: main.index("</div>")]
    assert "Screening is not complete" in summary
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary
    assert page.get_data(as_text=True).count('class="error-summary"') == 1
    # The script that moves the focus there comes with it (a file: the CSP allows no inline).
    assert '<script src="/static/js/error-summary.js" defer></script>' in page.get_data(
        as_text=True
    )


def test_each_field_error_links_to_its_field(client, gent, signed_in_coordinator):
    coach = make_coach(gent)
    db.session.commit()
    page = client.post(f"/coaches/{coach.id}/status", data={"status-status": "rejected"})
    main = _main(page.get_data(as_text=True)).lstrip()
    assert main.startswith('<div class="error-summary"')
    assert '<a href="#status-reason">' in main[: main.index("</div>")]
    assert 'id="status-reason"' in main


def test_a_page_without_errors_has_no_summary_and_no_script(client, gent, signed_in_coordinator):
    coach = make_coach(gent)
    db.session.commit()
    page = client.get(f"/coaches/{coach.id}").get_data(as_text=True)
    assert "error-summary" not in page and "data-error-summary" not in page
