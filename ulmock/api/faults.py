"""Injected faults: a route answers an error, or slowly, sometimes or the next N times.

Scenarios declare them under `behaviours.routes`; `POST /_ulmock/faults` adds them at
run time with the same vocabulary.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ulmock.domain.errors import ERROR_CODES, ApiError, ErrorCode, RateLimited


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str | None = Field(None, description="HTTP method; any when absent")
    path: str = Field(min_length=1, description="exact path, or a prefix ending in *")
    account: str | None = Field(None, description="only this username's requests")
    status: int | None = Field(None, ge=400, le=599)
    code: ErrorCode | None = None
    message: str | None = None
    latencyMs: int = Field(0, ge=0, le=60_000)
    probability: float = Field(1.0, gt=0, le=1)
    times: int | None = Field(None, ge=1, description="only the next N matching requests")

    @model_validator(mode="after")
    def does_something(self) -> FaultSpec:
        if self.status is None and self.code is None and not self.latencyMs:
            raise ValueError("a fault needs a status, a code or a latencyMs")
        return self

    def matches(self, method: str, path: str, account: str | None) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if self.account is not None and self.account != account:
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def error(self) -> ApiError | None:
        if self.status is None and self.code is None:
            return None
        code = self.code or _code_for(self.status or 500)
        cls = ERROR_CODES[code]
        status = self.status or cls.status
        message, details = self.message or "Injected fault", {"injected": True}
        if cls is RateLimited:
            err: ApiError = RateLimited(message, 1, details)
            err.status = status
            return err
        return cls(message, details, status=status, headers={"Retry-After": "1"} if status == 429 else None)


def _code_for(status: int) -> str:
    by_status = {cls.status: code for code, cls in ERROR_CODES.items()}
    return by_status.get(status, "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR")


@dataclass
class ActiveFault:
    id: int
    spec: FaultSpec
    remaining: int | None
    hits: int = 0


class Faults:
    """The faults in force, matched in the order they were added."""

    def __init__(self, seed: int | None = 0):
        self._faults: list[ActiveFault] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._next = 1

    def add(self, spec: FaultSpec) -> ActiveFault:
        with self._lock:
            fault = ActiveFault(self._next, spec, spec.times)
            self._next += 1
            self._faults.append(fault)
            return fault

    def clear(self) -> int:
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
            return n

    def active(self) -> list[ActiveFault]:
        with self._lock:
            return list(self._faults)

    def pick(self, method: str, path: str, account: str | None) -> ActiveFault | None:
        """The fault this request meets, if any (counting it against `times`)."""
        with self._lock:
            for fault in self._faults:
                if not fault.spec.matches(method, path, account):
                    continue
                if fault.spec.probability < 1 and self._rng.random() >= fault.spec.probability:
                    continue
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def dump(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"id": f.id, "spec": f.spec.model_dump(), "remaining": f.remaining, "hits": f.hits}
                for f in self._faults
            ]

    def load(self, data: list[dict[str, Any]]) -> None:
        with self._lock:
            self._faults = [
                ActiveFault(int(d["id"]), FaultSpec.model_validate(d["spec"]), d["remaining"], int(d["hits"]))
                for d in data
            ]
            self._next = max((f.id for f in self._faults), default=0) + 1
