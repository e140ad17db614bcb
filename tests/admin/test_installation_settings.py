"""The installation's name, logo and colour: who may set them, what is refused, where they show."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.admin import rules
from digicoach.admin.services import IdentityChange, change_identity, installation_settings
from digicoach.core import clock, messages
from digicoach.core.audit import AuditEvent
from digicoach.core.db import unit_of_work
from digicoach.core.errors import PermissionDenied, ValidationFailed
from digicoach.core.installation import DEFAULT_COLOUR, branding
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_admin, make_coordinator, make_municipality

FAVICON = Path(__file__).resolve().parents[2] / "static" / "favicon.ico"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def a_png() -> bytes:
    """A real 32 x 32 PNG: the one inside the favicon."""
    data = FAVICON.read_bytes()
    count = struct.unpack("<HHH", data[:6])[2]
    width, _h, _c, _r, _p, _b, length, offset = struct.unpack(
        "<BBBBHHII", data[6 + 16 * (count - 1) : 22 + 16 * (count - 1)]
    )
    assert width == 32
    return data[offset : offset + length]


@pytest.fixture
def admin(app):
    user = make_admin(name="Ann Admin")
    db.session.commit()
    return user


def _audit_events() -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "installation.change")
        ).scalars()
    )


def _save(actor, **values) -> None:
    change = IdentityChange(**{"name": "Digibank Gent", "colour": "#0b4f8a", **values})
    with unit_of_work():
        change_identity(actor=actor, change=change, now=clock.now())


# --- the rules ------------------------------------------------------------------------------


def test_contrast_follows_the_wcag_formula():
    assert rules.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert rules.contrast_ratio("#777777", "#777777") == pytest.approx(1)
    # WebAIM's contrast checker: #767676 on white is 4.54:1, #777777 is 4.48:1.
    assert rules.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert rules.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_a_main_colour_must_hold_white_text_and_be_readable_as_links_on_light_grey():
    assert rules.is_readable_main_colour("#0b4f8a")  # the house colour
    assert not rules.is_readable_main_colour("#ffcc00")  # yellow
    # 4.5:1 with white, but links in it on the light grey of the footer would be 4.1:1.
    assert rules.contrast_ratio("#1a73e8", "#ffffff") >= 4.5
    assert not rules.is_readable_main_colour("#1a73e8")


@pytest.mark.parametrize(
    ("typed", "colour"),
    [
        ("#0B4F8A", "#0b4f8a"),
        ("0b4f8a", "#0b4f8a"),
        (" #09c ", "#0099cc"),
        ("blue", None),
        ("#0b4f8", None),
        ("#0b4f8a; background: url(x)", None),
    ],
)
def test_colour_codes_are_read_leniently_and_only_as_six_hex_digits(typed, colour):
    assert rules.parse_colour(typed) == colour


def test_a_logo_is_known_by_its_first_bytes_and_svg_is_never_one():
    assert rules.sniff_image_type(a_png()) == "image/png"
    assert rules.sniff_image_type(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "image/jpeg"
    assert rules.sniff_image_type(b"RIFF\x24\0\0\0WEBPVP8 " + b"\0" * 20) == "image/webp"
    assert rules.sniff_image_type(SVG) is None
    assert rules.sniff_image_type(b"GIF89a" + b"\0" * 20) is None


# --- the service ----------------------------------------------------------------------------


def test_an_admin_sets_name_colour_and_logo_and_the_audit_log_names_the_fields(admin):
    _save(admin, colour="#C8102E", logo=a_png())
    settings = installation_settings()
    assert (settings.name, settings.colour, settings.logo_type) == (
        "Digibank Gent",
        "#c8102e",
        "image/png",
    )
    assert settings.logo == a_png() and len(settings.logo_digest) == 64
    [event] = _audit_events()
    assert (event.actor_id, event.fields) == (admin.id, "colour,logo,name")
    assert "Digibank" not in repr(vars(event))


def test_saving_the_same_again_changes_nothing_and_logs_nothing(admin):
    _save(admin, logo=a_png())
    _save(admin)  # no new logo: the old one stays
    assert installation_settings().logo == a_png()
    assert len(_audit_events()) == 1


def test_a_colour_too_light_for_white_text_is_refused_with_its_contrast_and_nothing_changes(
    admin,
):
    _save(admin)
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        _save(admin, name="Another name", colour="#ffcc00", logo=a_png())
    assert list(refused.value.errors) == ["colour"]
    message = str(refused.value.errors["colour"][0])
    assert "1.3 to 1" in message and "at least 4.5 to 1" in message
    db.session.expire_all()
    settings = installation_settings()
    assert (settings.name, settings.colour, settings.logo_digest) == (
        "Digibank Gent",
        DEFAULT_COLOUR,
        "",
    )
    assert len(_audit_events()) == 1


@pytest.mark.parametrize(
    ("logo", "words"),
    [
        (SVG, "PNG, JPEG or WebP"),
        (b"GIF89a" + b"\0" * 64, "PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * rules.LOGO_MAX_BYTES, "at most 512 KB"),
    ],
)
def test_a_logo_that_is_not_a_small_png_jpeg_or_webp_is_refused_and_nothing_changes(
    admin, logo, words
):
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        _save(admin, name="Changed", logo=logo)
    assert list(refused.value.errors) == ["logo"]
    assert words in str(refused.value.errors["logo"][0])
    assert installation_settings() is None
    assert _audit_events() == []


def test_only_admins_set_the_identity(app):
    coordinator = make_coordinator([make_municipality()])
    db.session.commit()
    with pytest.raises(PermissionDenied):
        _save(coordinator)
    assert installation_settings() is None


def test_removing_the_logo_forgets_its_bytes(admin):
    _save(admin, logo=a_png())
    _save(admin, remove_logo=True)
    settings = installation_settings()
    assert (settings.logo, settings.logo_type, settings.logo_digest) == (None, "", "")
    assert _audit_events()[-1].fields == "logo"


# --- the page -------------------------------------------------------------------------------


def _post(client, **data):
    form = {"name": "Digibank Gent", "colour": "#0b4f8a", **data}
    return client.post("/admin/settings", data=form, content_type="multipart/form-data")


def test_the_settings_page_saves_and_every_page_then_shows_the_new_identity(client, admin):
    sign_in(client, admin)
    assert client.get("/admin/settings").status_code == 200
    response = _post(client, colour="#c8102e", logo=(io.BytesIO(a_png()), "logo.png"))
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    settings = installation_settings()
    assert '<span class="brand-name">Digibank Gent</span>' in page
    assert "Digibank Gent</title>" in page
    assert f"/brand/logo?v={settings.logo_digest}" in page
    assert "/brand/theme/c8102e.css" in page


def test_a_refused_colour_shows_the_reason_next_to_the_field_and_saves_nothing(client, admin):
    sign_in(client, admin)
    response = _post(client, name="Changed", colour="#ffcc00")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This colour is too light" in page and 'aria-invalid="true"' in page
    assert installation_settings() is None
    assert branding().name == "digicoach"


def test_a_svg_logo_is_refused_on_the_page(client, admin):
    sign_in(client, admin)
    response = _post(client, logo=(io.BytesIO(SVG), "logo.png"))
    assert response.status_code == 422
    assert "Choose a PNG, JPEG or WebP image for the logo." in response.get_data(as_text=True)
    assert installation_settings() is None


def test_the_settings_page_is_for_admins_only(client, app):
    coordinator = make_coordinator([make_municipality()])
    db.session.commit()
    sign_in(client, coordinator)
    assert client.get("/admin/settings").status_code == 403
    assert _post(client).status_code == 403


# --- what browsers fetch --------------------------------------------------------------------


def test_the_logo_is_served_with_a_strong_etag_and_never_sniffed(client, admin):
    _save(admin, logo=a_png())
    digest = installation_settings().logo_digest
    response = client.get(f"/brand/logo?v={digest}")
    assert response.status_code == 200 and response.data == a_png()
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["ETag"] == f'"{digest}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"]
    again = client.get("/brand/logo", headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304 and again.data == b""
    assert "no-cache" in again.headers["Cache-Control"]


def test_without_a_logo_there_is_nothing_to_fetch(client):
    assert client.get("/brand/logo").status_code == 404


def test_the_colour_stylesheet_sets_the_brand_colours_and_refuses_anything_else(client):
    response = client.get("/brand/theme/c8102e.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert "--brand: #c8102e;" in response.get_data(as_text=True)
    assert "--brand-dark: #960c22;" in response.get_data(as_text=True)
    assert client.get("/brand/theme/red.css").status_code == 404


def test_the_favicon_is_an_icon_every_page_links(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\0\0\1\0"  # an ICO with images
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)


# --- e-mails --------------------------------------------------------------------------------


def test_every_html_email_carries_the_name_logo_and_colour(app, admin):
    _save(admin, colour="#c8102e", logo=a_png())
    with app.test_request_context():
        messages.queue_email(
            recipient="someone@example.org",
            language="nl",
            kind="test",
            dedupe_key="test:identity",
            template="accounts/email/verify_email",
            subject="Test",
            user=admin,
            link="https://example.org/verify",
            hours=24,
        )
    db.session.commit()
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert "background-color: #c8102e" in message.body_html
    assert "Digibank Gent" in message.body_html
    assert "/brand/logo?v=" in message.body_html
    assert message.body_html.count("<body") == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_layout_signs_with_the_installation_name(app, admin):
    _save(admin)
    with app.test_request_context():
        text = render_template(
            "coaches/email/rejected.txt", user=admin, reason="Geen plaats.", phone="09 123 45 67"
        )
    assert text.rstrip().endswith("Digibank Gent")
