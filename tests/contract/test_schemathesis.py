"""Schemathesis against ulmock's own OpenAPI document, in process.

Every `/api` operation is fuzzed (valid and invalid input) with the key of the minimal
world's `ci-user`; every answer must be in the schema: status code, content type,
headers and body. A stateful run then follows the document's links (create -> get ->
delete). `POST /api/gdpr` erases the account with `action: delete`, after which every
call is rightly a 401; it gets its own run on a fresh world per example.
"""

from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.contract.limits import count_413_as_refusal
from tests.helpers import unlimited_emulator
from ulmock.api.app import create_app
from ulmock.domain.entities import RateLimits
from ulmock.scenarios import fixed_key

USER = "ci-user"
KEY = fixed_key(USER)
MAX_EXAMPLES = 30
UNLIMITED = RateLimits(per_minute=10**9, per_day=10**9)


EMULATOR = unlimited_emulator(user=USER)
APP = create_app(EMULATOR)


def _schema(app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.update(headers={"Authorization": f"Bearer {KEY}"})
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=False)
    count_413_as_refusal(schema)
    return schema


schema = _schema(APP).exclude(operation_id="gdpr")
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Schema-valid input these operations may still refuse with 400, for reasons no JSON
# Schema can state: the file is no model (upload) or no image (predict), the plan already
# is Pro (subscription checkout), startDate after endDate (activity).
CONTENT_CHECKED = {
    "upload_model",
    "create_subscription_checkout",
    "list_activity",
    "predict",
    "predict_deployment",
}
# ...and what the state of a run refuses: a finished run cannot be cancelled, a checkpoint
# cannot be reported saved before it was uploaded.
STATE_CHECKED = CONTENT_CHECKED | {"cancel_training", "report_training"}


@schema.parametrize()
@SETTINGS
def test_api_conforms(case: schemathesis.Case) -> None:
    excluded = [positive_data_acceptance] if case.operation.definition.raw.get("operationId") in STATE_CHECKED else []
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.headers["content-type"] == ["application/json"]
    if response.status_code not in (401, 405):  # no credentials, or a method no operation has
        assert "x-ratelimit-remaining" in response.headers


# -- stateful: follow the links from each create to its get and delete ------------------


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # Each example starts from the same world: data generation that follows links into
        # responses must not depend on what earlier examples left behind.
        EMULATOR.reset()
        with EMULATOR.lock:
            EMULATOR.platform.accounts.by_username(USER).rate_limits = UNLIMITED  # type: ignore[union-attr]

    def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
        operation = case.operation.definition.raw.get("operationId")
        excluded = [positive_data_acceptance] if operation in STATE_CHECKED else None
        case.validate_response(
            response,
            additional_checks=additional_checks,
            excluded_checks=excluded,
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


Workflow.TestCase.settings = hypothesis.settings(
    max_examples=25,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TestLinkedWorkflow = Workflow.TestCase


# -- GDPR: `delete` erases the account, so each example gets a fresh world --------------

GDPR_EMULATOR = unlimited_emulator(user=USER)
gdpr_schema = _schema(create_app(GDPR_EMULATOR)).include(operation_id="gdpr")


@gdpr_schema.parametrize()
@SETTINGS
def test_gdpr_conforms(case: schemathesis.Case) -> None:
    GDPR_EMULATOR.reset()
    with GDPR_EMULATOR.lock:
        GDPR_EMULATOR.platform.accounts.by_username(USER).rate_limits = UNLIMITED  # type: ignore[union-attr]
    response = case.call_and_validate()
    body = response.json()
    if response.status_code == 200 and body["data"]["action"] == "delete":
        with GDPR_EMULATOR.lock:
            assert GDPR_EMULATOR.platform.accounts.by_username(USER) is None
        after = case.operation.schema["/api/datasets"]["GET"].Case(headers={"Authorization": f"Bearer {KEY}"}).call()
        assert after.status_code == 401
