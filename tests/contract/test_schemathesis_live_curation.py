"""Schemathesis over the live face's curation, similarity, integration and workflow operations.

The live face's `/openapi.json` is fuzzed, in process, for the operations of
`ulmock.api.platform.{images, curation, similarity, autoannotate, integrations, agents,
explore, follows, roboflow, mobile}` with the demo world's first key: every answer must be
in the document (status, content type, body) and an error is `{"error": message}`. The
clock moves a minute before each case, so the per-key quotas never hide the answer.
"""

from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.contract.limits import count_413_as_refusal
from tests.helpers import START
from ulmock.api.app import create_app
from ulmock.api.platform import (
    agents,
    autoannotate,
    curation,
    explore,
    follows,
    images,
    integrations,
    mobile,
    roboflow,
    similarity,
)
from ulmock.scenarios import build_emulator, fixed_key

KEY = fixed_key("lena")  # the demo's first account
AREAS = (images, curation, explore, follows, integrations, agents, roboflow, mobile)
ROUTES = [m.routes for m in AREAS] + [
    similarity.routes,
    similarity.image_routes,
    autoannotate.routes,
    autoannotate.batch_routes,
]
OPERATIONS = sorted({op.operation_id for r in ROUTES for op in r.operations})
# positive_data_acceptance is off: schema-valid input is still refused with 400/404 for
# reasons no schema states (the graph, the credentials' shape, ids of images and models).

EMULATOR = build_emulator("demo", mode="manual", start=START, api="platform")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(EMULATOR)).include(operation_id=OPERATIONS)
schema.config.update(headers={"Authorization": f"Bearer {KEY}"})
schema.config.generation.update(max_examples=8, deterministic=False)
count_413_as_refusal(schema)


@schema.parametrize()
@hypothesis.settings(
    max_examples=8, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_live_curation_conforms(case: schemathesis.Case) -> None:
    EMULATOR.advance(61)  # a fresh quota window
    # A 503 is documented for hosted assistants ulmock does not run: checked below instead.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance, not_a_server_error])
    assert response.headers["content-type"] == ["application/json"]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) <= {"error", "retryAfter", "resetAt"} and isinstance(body["error"], str)
    assert response.status_code < 500 or (response.status_code == 503 and "not configured" in response.text), (
        response.text
    )
