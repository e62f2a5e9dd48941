"""Declaring operations: one `Operation` says everything about one endpoint, once.

Method, path, scope, the models that validate its query, body or form, the shape it
answers with and its status. The same table drives routing, authentication, validation
and the OpenAPI document of either face, and the control API's routing and admin token;
`ulmock.api.pipeline` runs it. An operation is generic in what its handler is given:
a face's `Call` (the default), or the control API's call, which has no caller's key.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from typing_extensions import TypeVar

from ulmock.domain.entities import Account, ApiKey

if TYPE_CHECKING:
    from ulmock.api.faults import ActiveFault
    from ulmock.domain.backend import Platform
    from ulmock.emulator import Emulator

JSON_BODY_LIMIT = 1024 * 1024


@dataclass(kw_only=True)
class BaseCall:
    """What the edge fills in for every handler: the validated input; and the terms the
    door let the call in on (the headers every answer to it carries, a fault to play)."""

    query: Any = None
    body: Any = None
    form: Any = None
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    headers: dict[str, str] | None = None
    fault: ActiveFault | None = None


@dataclass
class Call(BaseCall):
    """What a face's handler gets: the caller, the validated input, and where it came from."""

    platform: Platform
    emulator: Emulator
    account: Account
    key: ApiKey
    request: Request
    params: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.emulator.public_url(self.request)


C = TypeVar("C", bound=BaseCall, default=Call)
Handler = Callable[[C], Any] | Callable[[C], Awaitable[Any]]
"""Returns a Response, or a value the operation's `render` answers with its declared status."""
Render = Callable[[Any, int], Response]


@dataclass(frozen=True)
class Operation(Generic[C]):
    method: str
    path: str
    handler: Handler[C]
    scope: str | None
    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    response: Any = None
    paginated: bool = False
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 403, 404, 429)
    raw_response: Any = None
    max_body: int = JSON_BODY_LIMIT
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    render: Render | None = None

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")


class Routes(Generic[C]):
    """A module's operations, declared with decorators next to their handlers."""

    def __init__(self, tag: str):
        self.tag = tag
        self.operations: list[Operation[C]] = []

    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler[C]], Handler[C]]:
        def register(handler: Handler[C]) -> Handler[C]:
            summary = options.pop("summary", None) or (inspect.getdoc(handler) or "").split("\n")[0]
            self.operations.append(Operation(method, path, handler, summary=summary, tag=self.tag, **options))
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[Handler[C]], Handler[C]]:
        return self._add("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Handler[C]], Handler[C]]:
        return self._add("POST", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[Handler[C]], Handler[C]]:
        return self._add("DELETE", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[Handler[C]], Handler[C]]:
        return self._add("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[Handler[C]], Handler[C]]:
        return self._add("PATCH", path, **options)
