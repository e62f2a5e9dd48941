"""The Platform's error vocabulary.

    ApiError
    ├── Unauthorized     401 UNAUTHORIZED
    ├── Forbidden        403 FORBIDDEN
    │   └── NotEnoughCredit  (the live face: 402)
    ├── NotFound         404 NOT_FOUND
    ├── ValidationError  400 VALIDATION_ERROR
    │   └── StateConflict  (the live face: 409)
    ├── RateLimited      429 RATE_LIMITED (+ Retry-After)
    ├── Conflict         409 CONFLICT (a taken slug, a job already running: the live face's)
    ├── PaymentRequired  402 PAYMENT_REQUIRED (not enough credit: the live face's)
    └── InternalError    500 INTERNAL_ERROR (injected faults, or a bug caught at the edge)

The domain raises these; each face turns them into its error shape and headers.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

ErrorCode = Literal["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "RATE_LIMITED", "INTERNAL_ERROR"]


class ApiError(Exception):
    status = 500
    code = "INTERNAL_ERROR"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None) -> None:
        """`class NotFound(ApiError, status=404, code="NOT_FOUND")`: a kind's status and code in its header."""
        super().__init_subclass__()
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(
        self,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}
        if status is not None:
            self.status = status


class Unauthorized(ApiError, status=401, code="UNAUTHORIZED"): ...


class Forbidden(ApiError, status=403, code="FORBIDDEN"): ...


class NotFound(ApiError, status=404, code="NOT_FOUND"): ...


class ValidationError(ApiError, status=400, code="VALIDATION_ERROR"): ...


class RateLimited(ApiError, status=429, code="RATE_LIMITED"):
    def __init__(self, message: str, retry_after: int, details: dict[str, Any] | None = None):
        super().__init__(message, details)
        self.retry_after = retry_after  # seconds; each face says it in a Retry-After header


class Conflict(ApiError, status=409, code="CONFLICT"): ...


class PaymentRequired(ApiError, status=402, code="PAYMENT_REQUIRED"): ...


class StateConflict(ValidationError):
    """The record's state refuses the request (already training, an export in flight).

    The reference face answers it as any invalid request (400); the live face as 409."""


class NotEnoughCredit(Forbidden):
    """The balance cannot cover the estimated cost: the reference face's 403, the live face's 402."""


class InternalError(ApiError, status=500, code="INTERNAL_ERROR"): ...


ERROR_CODES: dict[str, type[ApiError]] = {
    cls.code: cls for cls in (Unauthorized, Forbidden, NotFound, ValidationError, RateLimited, InternalError)
}
assert tuple(ERROR_CODES) == get_args(ErrorCode)


def not_found(kind: str, ident: str) -> NotFound:
    return NotFound(f"{kind.capitalize()} not found", {"id": ident})


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError(message, {field: message})
