"""Schemathesis against the live face's own OpenAPI document, in process.

Every operation is fuzzed with the demo world's `lena`; every answer must be in the
document (status, content type, body). Schema-valid input is often rightly refused
here (a random owner or slug is a 404, a taken slug a 409), so only conformance and
"never a 500" are checked, not that valid data is accepted. The clock moves a minute
before each case so the per-category quotas never hide the answer under a 429.
"""

from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.contract.limits import count_413_as_refusal
from tests.helpers import START, auth
from ulmock.api.app import create_app
from ulmock.scenarios import build_emulator

EMULATOR = build_emulator("demo", mode="manual", start=START, api="platform")
APP = create_app(EMULATOR)
MAX_EXAMPLES = 15

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.update(headers=auth("lena"))
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=False)
count_413_as_refusal(schema)


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_the_live_face_conforms_to_its_document(case: schemathesis.Case) -> None:
    EMULATOR.advance(61)
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.headers["content-type"] == ["application/json"]
    if response.status_code >= 400:
        assert set(response.json()) <= {"error", "retryAfter", "resetAt"}
