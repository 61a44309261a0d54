"""The test database: migrated once, then a fresh copy (SQLite) or a clean slate (PostgreSQL)."""

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from checkin import create_app
from checkin.extensions import db

DATABASE_URL = os.environ.get("CHECKIN_DATABASE_URL") or os.environ.get("DATABASE_URL")
ON_POSTGRES = bool(DATABASE_URL and DATABASE_URL.startswith("postgres"))


def pg_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def base_settings(database_url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CHECKIN_MAIL_URL": (tmp / "outbox").as_uri(),
        "CHECKIN_BASE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
        # scrypt costs a quarter of a second per hash; tests check behaviour, not strength.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database built once by the migrations; each test gets a fresh copy or a clean slate."""
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp("db")
    if ON_POSTGRES:
        url = pg_url(DATABASE_URL)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp / 'template.db'}"
    app = create_app(base_settings(url, tmp), instance_path=str(tmp / "instance"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if ON_POSTGRES:
        yield migrated_database
        _truncate_all(migrated_database)
    else:
        template = Path(migrated_database.removeprefix("sqlite:///"))
        copy = tmp_path / "test.db"
        shutil.copy(template, copy)
        yield f"sqlite:///{copy}"


@pytest.fixture
def settings(database_url, tmp_path) -> dict:
    """Override in a test module to change a setting for that module."""
    return base_settings(database_url, tmp_path)
