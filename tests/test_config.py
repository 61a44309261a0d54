"""Settings: database URL, secret key, production refusal."""

import re
from pathlib import Path

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


# Each mail setting the README names, with a value unlike its default and how the app holds it.
MAIL_SETTINGS = {
    "CHECKIN_MAIL_URL": ("smtp://mx.example.org:2525", "smtp://mx.example.org:2525"),
    "CHECKIN_MAIL_FROM": ("Cowork <hola@cowork.example>", "Cowork <hola@cowork.example>"),
    "CHECKIN_MAIL_MAX_ATTEMPTS": ("9", 9),
    "CHECKIN_MAIL_RETRY_BASE": ("0.5", 0.5),
    "CHECKIN_MAIL_RETRY_CAP": ("45", 45.0),
    "CHECKIN_MAIL_MAX_WAIT": ("7.5", 7.5),
    "CHECKIN_MAIL_TIMEOUT": ("12", 12.0),
    "CHECKIN_MAIL_STUCK_AFTER": ("600", 600.0),
}


def test_every_mail_setting_the_readme_names_is_tested_here():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    named = set(re.findall(r"CHECKIN_MAIL_[A-Z_]*[A-Z]", readme))
    assert named == set(MAIL_SETTINGS)


@pytest.mark.parametrize("name", sorted(MAIL_SETTINGS))
def test_mail_setting_is_read_from_the_environment(tmp_path, monkeypatch, name):
    raw, expected = MAIL_SETTINGS[name]
    default = create_app(instance_path=str(tmp_path / "a")).config[name]
    monkeypatch.setenv(name, raw)
    app = create_app(instance_path=str(tmp_path / "b"))
    assert default != expected and app.config[name] == expected


@pytest.mark.parametrize("raw", ["soon", "0", "-3", "nan", "inf"])
def test_a_mail_number_that_makes_no_sense_stops_the_start(tmp_path, raw):
    with pytest.raises(ConfigError, match="CHECKIN_MAIL_RETRY_BASE must be a number"):
        load_settings(tmp_path, {"CHECKIN_MAIL_RETRY_BASE": raw})


def test_a_lease_shorter_than_a_send_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="more than twice CHECKIN_MAIL_TIMEOUT"):
        load_settings(tmp_path, {"CHECKIN_MAIL_TIMEOUT": "60", "CHECKIN_MAIL_STUCK_AFTER": "90"})
