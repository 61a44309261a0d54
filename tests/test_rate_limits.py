"""Rate limits see each client: trusted proxies, a crowd behind one address, and sign-in
failures that slow one account from one address down without ever locking anyone out."""

import threading
from datetime import timedelta

import pytest

from checkin import ratelimit
from checkin.accounts.services import LOGIN_BACKOFF
from checkin.columns import now_utc
from checkin.config import ConfigError, load_settings
from checkin.mail.models import OutboxMessage
from checkin.people.models import Attendee
from tests.factories import PASSWORD
from tests.plugins.database import base_settings

ATTACKER, OWNER_AT_HOME = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def settings(database_url, tmp_path, request):
    """Parametrize ``settings`` indirectly with a number to run the app behind that many
    trusted proxies."""
    proxies = getattr(request, "param", 0)
    return {**base_settings(database_url, tmp_path), "CHECKIN_TRUSTED_PROXIES": proxies}


behind_one_proxy = pytest.mark.parametrize("settings", [1], indirect=True)


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, moved on by hand."""
    class Clock:
        now = now_utc()

        def advance(self, **kw):
            self.now += timedelta(**kw)

    clock = Clock()
    monkeypatch.setattr(ratelimit, "now_utc", lambda: clock.now)
    return clock


def log_in(client, email, password, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/console/login", data={"email": email, "password": password},
                       headers=headers)


def test_trusted_proxies_is_a_whole_number(tmp_path):
    assert load_settings(tmp_path, {})["CHECKIN_TRUSTED_PROXIES"] == 0
    assert load_settings(tmp_path, {"CHECKIN_TRUSTED_PROXIES": "2"})[
        "CHECKIN_TRUSTED_PROXIES"] == 2
    with pytest.raises(ConfigError, match="CHECKIN_TRUSTED_PROXIES"):
        load_settings(tmp_path, {"CHECKIN_TRUSTED_PROXIES": "yes"})


def test_wrong_passwords_cost_longer_and_longer_waits_then_the_right_one_works(
        client, owner, clock):
    for _ in range(LOGIN_BACKOFF.free):
        assert log_in(client, owner.email, "wrong-pass").status_code == 401
    refused = log_in(client, owner.email, PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert "Too many attempts. Try again in 2 seconds." in refused.text
    clock.advance(seconds=2)
    assert log_in(client, owner.email, "wrong-pass").status_code == 401
    assert log_in(client, owner.email, PASSWORD).headers["Retry-After"] == "4"
    clock.advance(seconds=3)
    assert log_in(client, owner.email, PASSWORD).headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert log_in(client, owner.email, PASSWORD).status_code == 303
    client.post("/console/logout")
    # Signing in forgets the failures: the next typo costs nothing.
    assert log_in(client, owner.email, "wrong-pass").status_code == 401
    assert log_in(client, owner.email, PASSWORD).status_code == 303


def test_the_wait_never_grows_past_fifteen_minutes_and_is_said_in_spanish(client, owner, clock):
    for _ in range(40):
        log_in(client, owner.email, "wrong-pass")
        clock.advance(hours=1)
    log_in(client, owner.email, "wrong-pass")
    refused = client.post("/console/login", data={"email": owner.email, "password": PASSWORD},
                          headers={"Accept-Language": "es"})
    assert refused.headers["Retry-After"] == "900"
    assert "Demasiados intentos. Vuelve a intentarlo dentro de 15 minutos." in refused.text
    clock.advance(minutes=15)
    assert log_in(client, owner.email, PASSWORD).status_code == 303


def test_an_unknown_email_is_slowed_the_same_way(client, clock):
    answers = [log_in(client, "nobody@example.org", "wrong-pass").status_code
               for _ in range(LOGIN_BACKOFF.free + 1)]
    assert answers == [401] * LOGIN_BACKOFF.free + [429]


def test_thirty_bad_logins_from_one_address_lock_no_other_organizer_out(
        client, owner, create_organizer, clock):
    colleague = create_organizer()
    for _ in range(30):
        log_in(client, owner.email, "wrong-pass")
    for _ in range(30):
        log_in(client, "nobody@example.org", "wrong-pass")
    assert log_in(client, colleague.email, PASSWORD).status_code == 303


@behind_one_proxy
def test_wrong_passwords_from_elsewhere_never_lock_the_owner_out(client, owner, clock):
    for _ in range(30):
        log_in(client, owner.email, "wrong-pass", ATTACKER)
    assert log_in(client, owner.email, PASSWORD, ATTACKER).status_code == 429
    assert log_in(client, owner.email, PASSWORD, OWNER_AT_HOME).status_code == 303


@behind_one_proxy
def test_only_the_hop_the_proxy_added_is_believed(client, owner, clock):
    for n in range(LOGIN_BACKOFF.free):
        log_in(client, owner.email, "wrong-pass", f"10.0.0.{n}, {ATTACKER}")
    # Making up a different first hop does not make the attacker someone else.
    assert log_in(client, owner.email, PASSWORD, f"10.9.9.9, {ATTACKER}").status_code == 429


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(client, owner, clock):
    for n in range(LOGIN_BACKOFF.free):
        log_in(client, owner.email, "wrong-pass", f"192.0.2.{n}")
    assert log_in(client, owner.email, PASSWORD, OWNER_AT_HOME).status_code == 429


def test_parallel_guesses_get_no_more_than_the_free_attempts(app):
    results, start = [], threading.Barrier(12)

    def attempt():
        with app.app_context():
            start.wait()
            results.append(ratelimit.claim_attempt("login:race", LOGIN_BACKOFF))

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 12
    assert sum(1 for wait in results if not wait) == LOGIN_BACKOFF.free


def walk_in(client, event, n, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(f"/e/{event.slug}/join", headers=headers,
                       data={"display_name": f"Guest {n}", "email": f"guest{n}@example.com"})


def test_a_crowd_of_walk_ins_behind_one_address_all_get_in(app, create_event):
    event = create_event(walk_ins_allowed=True)
    # One phone each, all on the venue's Wi-Fi (one address), arriving in the same minutes.
    answers = [walk_in(app.test_client(), event, n).status_code for n in range(40)]
    assert answers == [200] * 40  # each is emailed the link that signs their phone in
    assert Attendee.query.filter_by(event_id=event.id).count() == 40


@behind_one_proxy
def test_walk_ins_still_have_a_ceiling_per_address(app, create_event, monkeypatch):
    monkeypatch.setattr("checkin.people.views.JOIN_PER_IP", 3)
    event = create_event(walk_ins_allowed=True)
    answers = [walk_in(app.test_client(), event, n, ATTACKER).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert walk_in(app.test_client(), event, 9, OWNER_AT_HOME).status_code == 200


def test_a_crowd_asking_for_their_links_behind_one_address_all_get_them(
        client, event, create_attendee):
    guests = [create_attendee(event) for _ in range(15)]
    answers = [client.post(f"/e/{event.slug}", data={"email": g.person.email}).status_code
               for g in guests]
    assert answers == [200] * 15
    assert OutboxMessage.query.filter_by(kind="invitation").count() == 15
