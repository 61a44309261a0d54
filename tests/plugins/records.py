"""Factories as fixtures that return callables (Indico's style), and the usual owner and event."""

import pytest

from tests import factories


@pytest.fixture
def create_organizer(app):
    return factories.make_organizer


@pytest.fixture
def create_event(app):
    return factories.make_event


@pytest.fixture
def create_attendee(app):
    return factories.make_attendee


@pytest.fixture
def create_connection(app):
    return factories.make_connection


@pytest.fixture
def owner(app):
    return factories.make_organizer()


@pytest.fixture
def event(owner):
    return factories.make_event(owner)
