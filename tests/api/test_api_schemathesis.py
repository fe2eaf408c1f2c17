"""schemathesis against the live OpenAPI document (/api/schema/, read from
the running application): every operation, every method, with the token of
each role and without one. No answer may be a server error or break the
document (status code, content type, body schema, headers). Each generated
case is also sent with a real case or node in the path, so that the bodies
and parameters reach the handling code and not only the 404.
Bounded (MAX_EXAMPLES per operation) so the suite stays fast."""
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ROLES

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@pytest.fixture
def wsgi_in_the_test_transaction():
    """The application called in-process keeps the test's database connection,
    as Django's test client does: no closing of connections at the end of a
    request (on PostgreSQL that would end the test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(city, tokens):
    """The city, a token per role, and an action on the named case."""
    from casework import workflow
    action = workflow.add_action(city.manager, city.named.pk, title="Byt lås", owner=city.manager,
                                 due_date=city.named.reported_at.date())
    return city, tokens, action


def _real_path(case, city, action):
    params = dict(case.path_parameters or {})
    if "pk" in params:
        params["pk"] = city.north.pk if "/situation/" in case.path else city.named.pk
    if "action_pk" in params:
        params["action_pk"] = action.pk
    return params


def test_no_server_error_and_every_answer_as_documented(world, wsgi_in_the_test_transaction):
    city, tokens, action = world
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_in_the_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, [op.label for op in operations]

    seen: dict[str, set[int]] = {}

    def exercise(case):
        variants = [case.path_parameters]
        if case.path_parameters:
            variants.append(_real_path(case, city, action))
        for path_parameters in variants:
            case.path_parameters = path_parameters
            for role in [None, *ROLES]:
                headers = {"Authorization": f"Bearer {tokens[role][1]}"} if role else {}
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                seen.setdefault(case.operation.label, set()).add(response.status_code)

    for operation in operations:
        run = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                       suppress_health_check=list(HealthCheck))(given(case=operation.as_strategy())(exercise))
        run()
    # Not only errors: every reading operation answered some role with its data.
    for operation in operations:
        if operation.method.upper() == "GET":
            assert 200 in seen[operation.label], (operation.label, seen[operation.label])
        assert seen[operation.label] - {401}, operation.label
