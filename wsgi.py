"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from digicoach import create_app

app = create_app()
