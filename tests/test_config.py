"""Settings: database URL, secret key, production refusal."""

import pytest

from checkin import create_app
from checkin.config import ConfigError, database_url, load_settings


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="CHECKIN_SECRET_KEY is not set"):
        load_settings(tmp_path, {"CHECKIN_ENV": "production"})


def test_development_secret_key_is_made_once_and_kept(tmp_path):
    first = load_settings(tmp_path, {})["SECRET_KEY"]
    second = load_settings(tmp_path, {})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_given_secret_key_wins(tmp_path):
    assert load_settings(tmp_path, {"CHECKIN_SECRET_KEY": "k"})["SECRET_KEY"] == "k"


def test_database_url_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    assert database_url({}, tmp_path) == f"sqlite:///{tmp_path / 'checkin.db'}"


@pytest.mark.parametrize("name", ["CHECKIN_DATABASE_URL", "DATABASE_URL"])
def test_postgres_urls_use_psycopg(tmp_path, name):
    assert database_url({name: "postgres://u:p@h/db"}, tmp_path) == "postgresql+psycopg://u:p@h/db"


def test_checkin_database_url_wins_over_database_url(tmp_path):
    env = {"CHECKIN_DATABASE_URL": "sqlite:///a.db", "DATABASE_URL": "sqlite:///b.db"}
    assert database_url(env, tmp_path) == "sqlite:///a.db"


def test_defaults_write_mail_to_files_in_the_instance_folder(tmp_path):
    settings = load_settings(tmp_path, {})
    assert settings["CHECKIN_MAIL_URL"] == (tmp_path / "outbox").as_uri()
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_https_base_url_makes_cookies_secure(tmp_path):
    settings = load_settings(tmp_path, {"CHECKIN_BASE_URL": "https://example.org/"})
    assert settings["CHECKIN_BASE_URL"] == "https://example.org"
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_app_starts_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECKIN_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_passwords_are_hashed_with_scrypt_by_default(tmp_path):
    from checkin.accounts.services import hash_password

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        assert hash_password("a long password").startswith("scrypt:")
