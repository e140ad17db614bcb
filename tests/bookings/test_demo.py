"""seed-demo makes every demo digipunt bookable and books a few appointments."""

from sqlalchemy import func, select

from digicoach.bookings.models import Appointment


def test_seed_demo_books_a_handful_of_appointments(app):
    from digicoach.extensions import db

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Appointment)) >= 5
