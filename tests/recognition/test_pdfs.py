"""The certificate and the hours statement: real PDF files (pypdf opens them) with the name,
programme, modules, issuing municipality and verification code; downloadable by the coach and
by coordinators of the coach's municipality, nobody else; never cached."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from digicoach.extensions import db
from digicoach.recognition import fonts
from tests.conftest import sign_in
from tests.recognition.conftest import CODE


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def certificate_url(world) -> str:
    return f"/recognition/certificates/{world.certification.id}.pdf"


def hours_url(world, year: int = 2026, coach=None) -> str:
    return f"/recognition/coaches/{(coach or world.coach).id}/hours/{year}.pdf"


def test_the_coach_downloads_a_certificate_that_opens_and_says_it_all(world, client):
    sign_in(client, world.coach.user)
    response = client.get(certificate_url(world))
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for expected in (
        "Sara Peeters",
        "Digibank Oost-Vlaanderen",
        "Basisvaardigheden",
        "Veilig online",
        "Gent",
        "DC-2026-000042",
        CODE,
        f"/verify/{CODE}",
    ):
        assert expected in text, expected


def test_the_certificate_is_written_in_the_coach_language(world, client):
    world.coach.user.language = "fr"
    db.session.commit()
    sign_in(client, world.coordinator)
    text = pdf_text(client.get(certificate_url(world)).data)
    assert "Attestation" in text
    assert "Sara Peeters" in text


def test_the_hours_statement_counts_the_shifts_worked_this_year(world, client):
    sign_in(client, world.coach.user)
    response = client.get(hours_url(world))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert "Sara Peeters" in text
    assert "Shifts: 2 · Hours: 5 · Places: 1" in text
    assert "De Krook" in text


def test_coordinators_of_the_coach_municipality_may_download(world, client):
    sign_in(client, world.coordinator)
    assert client.get(certificate_url(world)).status_code == 200
    assert client.get(hours_url(world)).status_code == 200


@pytest.mark.parametrize("who", ["other_coordinator", "other_coach"])
def test_everyone_else_gets_not_found(world, client, who):
    person = getattr(world, who)
    sign_in(client, person if who == "other_coordinator" else person.user)
    assert client.get(certificate_url(world)).status_code == 404
    assert client.get(hours_url(world)).status_code == 404


def test_guessed_ids_and_years_are_not_found(world, client):
    sign_in(client, world.coach.user)
    assert client.get("/recognition/certificates/987654.pdf").status_code == 404
    assert client.get(hours_url(world, year=2031)).status_code == 404
    assert client.get("/recognition/coaches/987654/hours/2026.pdf").status_code == 404


def test_my_page_links_to_both_downloads(world, client):
    sign_in(client, world.coach.user)
    page = client.get("/me/recognition").get_data(as_text=True)
    assert certificate_url(world) in page
    assert hours_url(world) in page
    assert "/me/recognition" in client.get("/me").get_data(as_text=True)


def test_the_verify_page_shows_programme_date_and_issuing_municipality(world, client):
    page = client.get(f"/verify/{CODE}").get_data(as_text=True)
    assert "Digibank Oost-Vlaanderen" in page
    assert "Municipality of Gent" in page
    assert "Sara Peeters" in page


def test_missing_fonts_fail_with_what_to_install(tmp_path):
    with pytest.raises(fonts.FontsMissing, match="fonts-dejavu-core"):
        fonts.font_dir(str(tmp_path))
    assert (fonts.font_dir() / fonts.REGULAR).is_file()


def test_without_fonts_the_download_says_what_to_install(world, client, app, tmp_path):
    app.config["PDF_FONT_DIR"] = str(tmp_path)
    sign_in(client, world.coach.user)
    response = client.get(certificate_url(world))
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
