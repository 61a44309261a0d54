"""Helpers for the attendee tests: sign a test client in as an attendee."""

from checkin.people.services import issue_signin_link


def sign_in_as(client, attendee):
    """Open ``attendee``'s sign-in link in ``client``; returns the redirect response."""
    response = client.get(f"/s/{issue_signin_link(attendee)}")
    assert response.status_code == 303, response.status_code
    return response
