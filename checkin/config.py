"""Settings from the environment, with embedded defaults for a laptop."""

import math
import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The app cannot start with these settings."""


def database_url(environ, instance_path: Path) -> str:
    url = environ.get("CHECKIN_DATABASE_URL") or environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'checkin.db'}"
    # Heroku-style and bare postgresql URLs go through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(environ, instance_path: Path, production: bool) -> str:
    key = environ.get("CHECKIN_SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "CHECKIN_SECRET_KEY is not set. In production the app needs a fixed secret "
            "key (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    # Development: made once and kept, so sessions survive a restart.
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


# Outbox delivery: name → (parse, default). Read from the environment by ``mail_settings``.
MAIL_DEFAULTS = {
    "CHECKIN_MAIL_MAX_ATTEMPTS": (int, 6),  # a message fails for good after this many tries
    "CHECKIN_MAIL_RETRY_BASE": (float, 2.0),  # seconds before the 2nd try; doubled each time
    "CHECKIN_MAIL_RETRY_CAP": (float, 300.0),  # the longest wait between two tries
    "CHECKIN_MAIL_MAX_WAIT": (float, 60.0),  # a run waits for a retry due this soon, else ends
    "CHECKIN_MAIL_TIMEOUT": (float, 30.0),  # seconds for each SMTP connect, command or send
    "CHECKIN_MAIL_STUCK_AFTER": (float, 120.0),  # 'sending' this long: its sender died
}


def mail_settings(environ) -> dict:
    """The outbox's delivery settings, each from ``environ`` or its default."""
    settings = {}
    for name, (parse, default) in MAIL_DEFAULTS.items():
        raw = environ.get(name, "").strip()
        try:
            value = parse(raw) if raw else default
        except ValueError:
            raise ConfigError(f"{name} must be a number, not {raw!r}.") from None
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"{name} must be a number above 0, not {raw!r}.")
        settings[name] = value
    # A live sender holds a message for a connect plus a send at most; a shorter lease would
    # hand its message to a second sender while the first is still sending it.
    if settings["CHECKIN_MAIL_STUCK_AFTER"] <= 2 * settings["CHECKIN_MAIL_TIMEOUT"]:
        raise ConfigError("CHECKIN_MAIL_STUCK_AFTER must be more than twice "
                          "CHECKIN_MAIL_TIMEOUT, or a slow sender's message is sent twice.")
    return settings


def trusted_proxies(environ) -> int:
    """How many proxies in front of the app may say who the client is (X-Forwarded-For)."""
    text = environ.get("CHECKIN_TRUSTED_PROXIES", "0").strip() or "0"
    if not text.isdigit():
        raise ConfigError(f"CHECKIN_TRUSTED_PROXIES must be a whole number (0 when nothing "
                          f"stands in front of the app), not {text!r}.")
    return int(text)


def load_settings(instance_path: Path, environ=None) -> dict:
    """Every setting the app reads, from ``environ`` (the process environment by default)."""
    environ = os.environ if environ is None else environ
    instance_path.mkdir(parents=True, exist_ok=True)
    production = environ.get("CHECKIN_ENV", "development").lower() == "production"
    base_url = environ.get("CHECKIN_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    url = database_url(environ, instance_path)
    return {
        "CHECKIN_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key(environ, instance_path, production),
        "SQLALCHEMY_DATABASE_URI": url,
        # A server can drop idle connections: checkin.create_app pings those idle a while.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "CHECKIN_MAIL_URL": environ.get("CHECKIN_MAIL_URL")
        or (instance_path / "outbox").as_uri(),
        "CHECKIN_MAIL_FROM": environ.get("CHECKIN_MAIL_FROM", "checkin <noreply@localhost>"),
        **mail_settings(environ),
        "CHECKIN_BASE_URL": base_url,
        "CHECKIN_TRUSTED_PROXIES": trusted_proxies(environ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # An event lasts hours; a phone signed in by its link must not be asked again.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
    }
