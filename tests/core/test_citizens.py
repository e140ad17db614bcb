from digicoach.core.citizens import citizen_key


def test_the_same_phone_gives_the_same_key_and_phone_wins_over_email(app):
    first = citizen_key(phone_e164="+32470123456", email="a@example.org")
    assert first == citizen_key(phone_e164="+32470123456")
    assert first != citizen_key(email="a@example.org")


def test_email_case_does_not_make_a_new_citizen(app):
    assert citizen_key(email="Marie@Example.org ") == citizen_key(email="marie@example.org")


def test_no_contact_gives_no_key(app):
    assert citizen_key() is None


def test_the_key_depends_on_the_secret(app):
    before = citizen_key(phone_e164="+32470123456")
    app.config["CITIZEN_KEY_SECRET"] = "another secret"
    assert citizen_key(phone_e164="+32470123456") != before
