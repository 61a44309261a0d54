"""Console: API tokens are made (shown once), listed by prefix, and revoked."""

import re

from checkin.accounts.models import ApiToken
from checkin.accounts.services import api_tokens_of, revoke_api_token
from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_api_token, make_organizer


def test_make_a_token_see_it_once_then_only_its_prefix(client, owner):
    login(client, owner)
    page = client.post("/console/tokens", data={"label": "badge printer"})
    secret = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    assert secret.startswith("ck_")
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 200
    later = client.get("/console/tokens")
    assert secret not in later.text and secret[:10] in later.text
    assert "badge printer" in later.text
    token = db.session.query(ApiToken).one()
    assert token.token_hash != secret


def test_revoke_and_never_touch_another_organizers_token(client, owner):
    mine, secret = make_api_token(owner)
    theirs, _ = make_api_token(make_organizer())
    login(client, owner)
    assert client.post(f"/console/tokens/{theirs.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, theirs.id).revoked_at is None
    client.post(f"/console/tokens/{mine.id}/revoke", data={"confirmed": "yes"})
    assert db.session.get(ApiToken, mine.id).revoked_at is not None
    assert "Revoked" in client.get("/console/tokens").text
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 401


def test_tokens_page_needs_sign_in(client):
    assert client.get("/console/tokens").status_code == 302


def test_the_token_list_is_mine_newest_first_revoked_included(owner):
    first, _ = make_api_token(owner)
    second, _ = make_api_token(owner)
    make_api_token(make_organizer())
    revoke_api_token(owner, first.id)
    assert [t.id for t in api_tokens_of(owner)] == [second.id, first.id]
