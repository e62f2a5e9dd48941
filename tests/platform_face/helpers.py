"""Helpers for the live face's tests: the client's own types, and refusals.

`typed(T, answer)` checks an answer against the client's TypedDict `T` (from
`ultralytics_platform.types`) and returns it; `refused(call, status)` runs a call that
must fail and returns its body, which must be exactly `{"error": message}`.
"""

from __future__ import annotations

import importlib
import json
import typing
from collections.abc import Callable
from typing import Any

import pytest
import typing_extensions
from pydantic import TypeAdapter

# The client declares its TypedDicts with `typing`; pydantic reads those on Python 3.11
# only from `typing_extensions`. Swap the two while its types module (re)loads: reloading
# covers a test module that imported the client first.
_saved = (typing.TypedDict, typing.NotRequired)
typing.TypedDict, typing.NotRequired = typing_extensions.TypedDict, typing_extensions.NotRequired  # type: ignore[misc]
try:
    from ultralytics_platform import types as _loaded

    client_types = importlib.reload(_loaded)
finally:
    typing.TypedDict, typing.NotRequired = _saved  # type: ignore[misc]

from ultralytics_platform import APIError  # noqa: E402

_adapters: dict[str, TypeAdapter[Any]] = {}


def typed(type_name: str, answer: Any) -> Any:
    """Validate `answer` against the client's `type_name` (strict: no coercion); return it."""
    adapter = _adapters.get(type_name)
    if adapter is None:
        adapter = _adapters[type_name] = TypeAdapter(getattr(client_types, type_name))
    adapter.validate_python(answer, strict=True)
    return answer


def refused(call: Callable[[], Any], status: int) -> dict[str, Any]:
    """Run a call that must fail with `status`; the error body: exactly {"error": str} (429 adds when to retry)."""
    with pytest.raises(APIError) as info:
        call()
    err = info.value
    assert err.status_code == status, err.body
    body: dict[str, Any] = json.loads(err.body)
    extra = {"retryAfter", "resetAt"} if status == 429 else set()
    assert set(body) == {"error"} | extra and isinstance(body["error"], str) and body["error"], body
    return body
