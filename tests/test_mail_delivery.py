"""Delivery that loses nothing and sends nothing twice, against an SMTP server that misbehaves."""

import asyncio
import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from checkin.mail.sender import backoff_seconds, deliver_pending
from checkin.mail.services import resend
from checkin.mail.transports import DeliveryStopped
from tests.conftest import ON_POSTGRES, free_port
from tests.factories import make_outbox

ROOT = Path(__file__).resolve().parent.parent


class Misbehaving:
    """An SMTP server following a plan, one step per DATA: "ok", a reply such as
    "451 …", or "drop" (the connection closes before any answer)."""

    def __init__(self):
        self.messages = []
        self.plan: list[str] = []
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()
        # With hold_after = n, the (n+1)th message is stored but its 250 waits for release.
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            step = self.plan.pop(0) if self.plan else "ok"
            if step == "drop":
                server.transport.close()
                return "421 closing"
            if step != "ok":
                return step
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            message.envelope_to = list(envelope.rcpt_tos)
            self.messages.append(message)
            hold = self.hold_after is not None and len(self.messages) > self.hold_after
        if hold:  # stored, but the 250 waits: the sender cannot know it was delivered
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "250 OK"

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(m["To"] for m in self.messages)


@pytest.fixture
def server(app):
    handler = Misbehaving()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.url = f"smtp://127.0.0.1:{controller.port}"
    app.config.update(CHECKIN_MAIL_URL=handler.url, CHECKIN_MAIL_RETRY_BASE=0.01,
                      CHECKIN_MAIL_MAX_ATTEMPTS=4)
    yield handler
    controller.stop()


def queue(event, n, prefix="person"):
    return [make_outbox(event, recipient=f"attendee:{prefix}{i}",
                        to_address=f"{prefix}{i}@example.com", subject=f"Hello {i}")
            for i in range(n)]


def statuses():
    return dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def test_451_then_accept_sends_once(app, event, server):
    messages = queue(event, 3)
    server.plan = ["451 4.3.0 Try again later"]
    tally = deliver_pending()
    assert tally.sent == 3 and tally.failed == 0 and tally.retried == 1
    assert server.recipients() == {f"person{i}@example.com": 1 for i in range(3)}
    db.session.refresh(messages[0])
    assert messages[0].attempts == 2 and messages[0].status == "sent"
    assert messages[0].last_error == ""


def test_550_for_one_recipient_fails_that_one_with_the_servers_words(app, event, server):
    queue(event, 3)
    server.refuse = {"person1@example.com"}
    tally = deliver_pending()
    assert tally.sent == 2 and tally.failed == 1
    assert server.recipients() == {"person0@example.com": 1, "person2@example.com": 1}
    failed = db.session.scalar(select(OutboxMessage).filter_by(status="failed"))
    assert failed.to_address == "person1@example.com"
    assert "550" in failed.last_error and "no such user here" in failed.last_error
    assert failed.attempts == 1  # a permanent refusal is not retried


def test_a_connection_dropped_mid_batch_loses_and_duplicates_nothing(app, event, server):
    queue(event, 6)
    server.plan = ["ok", "ok", "drop", "ok", "drop"]
    tally = deliver_pending()
    assert tally.sent == 6 and tally.failed == 0 and tally.retried == 2
    assert server.recipients() == {f"person{i}@example.com": 1 for i in range(6)}
    assert statuses() == {"sent": 6}


def test_transient_failures_give_up_after_the_cap(app, event, server):
    queue(event, 1)
    server.plan = ["452 4.2.2 Mailbox full"] * 10
    tally = deliver_pending()
    assert tally.sent == 0 and tally.failed == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.attempts == 4
    assert message.last_error.startswith("gave up after 4 attempts: 452")
    assert server.messages == []


def test_backoff_doubles_up_to_a_cap(app):
    app.config.update(CHECKIN_MAIL_RETRY_BASE=2, CHECKIN_MAIL_RETRY_CAP=60)
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [2, 4, 8, 16, 32, 60, 60]


def test_a_retry_due_later_waits_for_a_later_run(app, event, server):
    app.config.update(CHECKIN_MAIL_RETRY_BASE=3600)
    queue(event, 2)
    server.plan = ["451 later"]
    tally = deliver_pending()
    assert tally.sent == 1 and tally.waiting == 1
    assert statuses() == {"sent": 1, "pending": 1}


def test_an_unreachable_server_stops_the_run_and_loses_nothing(app, event):
    app.config.update(CHECKIN_MAIL_URL=f"smtp://127.0.0.1:{free_port()}",
                      CHECKIN_MAIL_RETRY_BASE=0.01)
    queue(event, 5)
    with pytest.raises(DeliveryStopped):
        deliver_pending()
    assert statuses() == {"pending": 5}


def test_resend_puts_a_failed_message_back_and_it_goes(app, event, server):
    queue(event, 1)
    server.refuse = {"person0@example.com"}
    deliver_pending()
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "failed"
    server.refuse = set()
    resend(message)
    assert deliver_pending().sent == 1
    assert server.recipients() == {"person0@example.com": 1}


def test_headers_cannot_add_recipients(app, event, server):
    make_outbox(event, to_address="a@example.com", headers={"X-Evil": "x\r\nBcc: c@example.com"})
    bad = make_outbox(event, to_address="b@example.com\r\nBcc: c@example.com")
    tally = deliver_pending()
    assert tally.sent == 1 and tally.failed == 1
    [message] = server.messages
    assert message.envelope_to == ["a@example.com"]
    assert message["Bcc"] is None and message["X-Evil"] == "x Bcc: c@example.com"
    db.session.refresh(bad)
    assert bad.status == "failed" and "not a single valid address" in bad.last_error


def _sender_env(app, database_url):
    env = dict(os.environ)
    env.update(CHECKIN_DATABASE_URL=database_url, CHECKIN_MAIL_URL=app.config["CHECKIN_MAIL_URL"],
               CHECKIN_SECRET_KEY="test-secret", CHECKIN_BASE_URL="http://localhost")
    env.pop("DATABASE_URL", None)
    return env


def _checkin_command():
    return [sys.executable, "-c", "from checkin.cli import main; main()"]


def test_a_sender_killed_mid_run_resends_at_most_one(app, event, server, database_url):
    """The sender is killed after the server stored message 9 but before its 250 came back:
    the one in-flight window. Restarted, it sends the rest and message 9 once more — one
    duplicate, never more, and nothing lost."""
    total = 20
    queue(event, total)
    server.hold_after = 8
    env = _sender_env(app, database_url)
    sender = subprocess.Popen(_checkin_command() + ["mail", "send"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert server.holding.wait(60), "the sender never reached the ninth message"
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    server.hold_after = None
    server.release.set()
    assert sum(server.recipients().values()) == 9
    again = subprocess.run(_checkin_command() + ["mail", "send", "--release-stuck-after", "0"],
                           env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    counts = server.recipients()
    assert set(counts) == {f"person{i}@example.com" for i in range(total)}
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates == 1  # the message in flight, and only it
    assert counts["person8@example.com"] == 2
    db.session.expire_all()
    assert statuses() == {"sent": total}


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="FOR UPDATE SKIP LOCKED needs PostgreSQL")
def test_two_senders_at_once_never_send_one_message_twice(app, event, server):
    total = 60
    queue(event, total)
    server.delay = 0.005
    tallies, errors = [], []

    def sender():
        try:
            with app.app_context():
                tallies.append(deliver_pending())
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(t.sent for t in tallies) == total
    assert all(t.sent > 0 for t in tallies)  # both took part
    assert server.recipients() == {f"person{i}@example.com": 1 for i in range(total)}


def _follow(app, database_url, **settings):
    """``checkin mail send --follow`` in its own process, as ``make run`` starts it."""
    env = _sender_env(app, database_url)
    env.update({name: str(value) for name, value in settings.items()})
    return subprocess.Popen(_checkin_command() + ["mail", "send", "--follow"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _stop(process):
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_a_following_sender_rides_out_a_mail_server_outage(app, event, database_url):
    """The server goes away mid-follow and comes back on the same port: the sender keeps
    running, reconnects, and sends what was queued meanwhile once each, no try lost."""
    handler, port = Misbehaving(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["CHECKIN_MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    sender = _follow(app, database_url, CHECKIN_MAIL_RETRY_BASE=0.2, CHECKIN_MAIL_RETRY_CAP=1)
    try:
        queue(event, 2, prefix="before")
        assert _wait_for(lambda: sum(handler.recipients().values()) == 2)
        controller.stop()
        queue(event, 3, prefix="during")
        time.sleep(4)  # several failed reconnects
        assert sender.poll() is None, "the sender gave up during the outage"
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        assert _wait_for(lambda: sum(handler.recipients().values()) == 5)
    finally:
        returncode, _, err = _stop(sender)
        controller.stop()
    assert returncode == 0, err
    assert "trying again" in err and "reachable again" in err
    assert handler.recipients() == {f"{p}{i}@example.com": 1
                                    for p, n in (("before", 2), ("during", 3)) for i in range(n)}
    db.session.expire_all()
    assert statuses() == {"sent": 5}
    # Waiting out the outage cost no tries; at most one went to the connection it cut.
    assert max(m.attempts for m in db.session.scalars(select(OutboxMessage))) <= 2


def test_a_killed_senders_message_is_sent_by_the_next_follower_after_the_lease(
        app, event, server, database_url):
    queue(event, 3)
    server.hold_after = 0  # the first message is stored, its 250 held
    env = _sender_env(app, database_url)
    first = subprocess.Popen(_checkin_command() + ["mail", "send"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert server.holding.wait(60)
    first.send_signal(signal.SIGKILL)
    first.wait()
    server.hold_after = None
    server.release.set()
    db.session.expire_all()
    assert statuses() == {"sending": 1, "pending": 2}
    follower = _follow(app, database_url, CHECKIN_MAIL_TIMEOUT=1, CHECKIN_MAIL_STUCK_AFTER=3)
    try:
        db.session.expire_all()
        assert _wait_for(lambda: server.recipients() == {f"person{i}@example.com": 1 + (i == 0)
                                                         for i in range(3)})
        assert follower.poll() is None
    finally:
        returncode, _, err = _stop(follower)
    assert returncode == 0, err
    assert "left 'sending' by a stopped sender" in err
    db.session.expire_all()
    assert statuses() == {"sent": 3}


def test_lines_that_start_with_a_dot_arrive_as_written(app, event, server):
    # DATA doubles a dot that starts a line and the server takes it off again (RFC 5321).
    body = ".\n..\n.a dot starts this line\n...three\nend."
    make_outbox(event, text_body=body, html_body="<p>\n.dot</p>")
    assert deliver_pending().sent == 1
    [message] = server.messages
    assert message.get_body(("plain",)).get_content() == body.replace("\n", "\r\n") + "\r\n"
    assert message.get_body(("html",)).get_content() == "<p>\r\n.dot</p>\r\n"


def test_the_dot_stuffing_is_smtplibs():
    import smtplib

    from checkin.mail.transports import _stuffed

    for raw in (b".a\r\nb\r\n", b"a\r\n.\r\n..\r\n", b"x\n.y", b"no end", b"", b"\r\n.\r\n"):
        expected = smtplib._quote_periods(raw)
        expected += b"" if expected[-2:] == b"\r\n" else b"\r\n"
        assert _stuffed(raw) == expected + b".\r\n"


def test_a_message_is_recorded_and_the_next_claimed_in_one_commit(app, event, server):
    queue(event, 3)
    commits = []

    def committed(_connection):
        commits.append(1)

    sa_event.listen(db.engine, "commit", committed)
    try:
        assert deliver_pending().sent == 3
    finally:
        sa_event.remove(db.engine, "commit", committed)
    assert statuses() == {"sent": 3}
    # The first claim, then one commit per message (its outcome and the next claim).
    assert len(commits) == 1 + 3


def test_a_run_stopped_after_claiming_the_next_message_gives_it_back(app, event, server):
    queue(event, 3)
    sent = []
    tally = deliver_pending(on_progress=sent.append, stop=lambda: len(sent) >= 1)
    assert tally.sent == 1
    db.session.expire_all()
    assert statuses() == {"sent": 1, "pending": 2}
    assert sorted(m.attempts for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "pending"))) == [0, 0]
    assert deliver_pending(limit=1).sent == 1
    db.session.expire_all()
    assert statuses() == {"sent": 2, "pending": 1}
    assert deliver_pending().sent == 1 and server.recipients() == {
        f"person{i}@example.com": 1 for i in range(3)}
