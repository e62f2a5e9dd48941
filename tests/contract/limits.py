"""Schemathesis settings shared by the contract runs."""

from __future__ import annotations

from typing import Any


def count_413_as_refusal(schema: Any) -> None:
    """A generated body over a route's size limit is refused with 413 (documented on every
    operation with a body), but schemathesis's negative-data check does not list 413 among
    refusals: without this, a long enough invalid array reads as "accepted"."""
    checks = schema.config.checks
    current = checks.negative_data_rejection
    checks.negative_data_rejection = type(current)(expected_statuses=[*current.expected_statuses, "413"])
