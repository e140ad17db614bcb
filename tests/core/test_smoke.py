from digicoach.core import outbox
from digicoach.extensions import db
from tests.conftest import deliver_outbox, sign_in
from tests.factories import make_admin


def test_home_page_answers_in_dutch_by_default(app):
    visitor = app.test_client()  # no language cookie, no Accept-Language, nobody signed in
    response = visitor.get("/")
    assert response.status_code == 200
    assert b'<html lang="nl">' in response.data


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").json["database"] is True


def test_a_message_queued_by_a_request_is_sent_after_commit(app, mailbox):
    with app.test_request_context("/"):
        outbox.enqueue(
            dedupe_key="smoke",
            kind="smoke",
            channel=outbox.Channel.EMAIL,
            recipient="someone@example.org",
            subject="Hallo",
            body_text="Dag",
        )
        db.session.commit()
        deliver_outbox()
    assert [m["Subject"] for m in mailbox.to("someone@example.org")] == ["Hallo"]


def test_a_signed_in_admin_reaches_the_user_list(client):
    admin = make_admin()
    sign_in(client, admin)
    assert client.get("/admin/users").status_code == 200


def test_a_nul_character_in_any_input_is_refused_before_it_reaches_the_database(client):
    assert client.get("/privacy?x=a%00b").status_code == 400
    assert client.post("/login", data={"email": "a\x00@example.org"}).status_code == 400
    response = client.post(
        "/api/v1/bookings", data=b'{"a": "\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400
    # A URL nobody serves reads no body at all: a plain 404.
    response = client.post("/api/v1/x", data=b'{"a": "\\u0000"}', content_type="application/json")
    assert response.status_code == 404
