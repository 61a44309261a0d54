"""The OpenAPI document matches what the routes do: schemathesis fuzzes every operation from
it (bodies, queries, ids) and no input may cause a server error or an undocumented answer."""

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.factories import make_api_token, make_attendee, make_connection

with warnings.catch_warnings():  # schemathesis 3.39 warns about its own default arguments
    warnings.simplefilter("ignore", DeprecationWarning)
    schema = schemathesis.from_pytest_fixture("api_schema")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def api_schema(app, owner, event):
    ana = make_attendee(event, ticket_code="T-1")
    make_connection(ana, make_attendee(event))
    app.config["FUZZ_TOKEN"] = make_api_token(owner)[1]
    app.config["FUZZ_SLUG"] = event.slug
    return schemathesis.from_wsgi("/api/v1/openapi.json", app)


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case):
    app = case.app
    if "slug" in (case.path_parameters or {}):
        case.path_parameters["slug"] = app.config["FUZZ_SLUG"]
    with app.app_context():
        case.call_and_validate(headers={"Authorization": f"Bearer {app.config['FUZZ_TOKEN']}"})
