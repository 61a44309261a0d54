"""The WSGI entry point: ``gunicorn wsgi:app``."""

from checkin import create_app

app = create_app()
