"""A real SMTP server on loopback (aiosmtpd) that records what it accepts and can refuse on cue."""

import email
import threading
from email import policy

import pytest

from tests.loopback import free_port


class Mailbox:
    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()
        self.script: list = []  # replies to give instead of accepting, in order

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.script:
                reply = self.script.pop(0)
                if reply is not None:
                    return reply
            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{controller.port}"
    mailbox.port = controller.port
    yield mailbox
    controller.stop()
