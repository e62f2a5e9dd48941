"""Declaring the live face's operations: the shared operation table, plus a rate category.

    routes = PlatformRoutes("projects")

    @routes.get("/api/projects/{owner}", response=ProjectList, category="default")
    def list_projects(call: Call) -> Response: ...

Everything `ulmock.api.operations.Routes` takes works here too (body, query, form, status,
errors, summary); `errors` is READ when not given, and the sets below name the common ones.
`category` names the live contract's rate-limit counter. A module whose operations all
count against one counter names it once: `PlatformRoutes("Upload", category="upload")`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from starlette.responses import Response

from ulmock.api.operations import Handler, Routes
from ulmock.api.responses import json_response

Category = Literal["default", "training", "upload", "predict", "export", "download"]

# The statuses an operation documents besides its success, named by what the operation does
# (/openapi.json adds 405 and 500, and 413 to one with a body). 401 and 429 are in every set.
READ = (400, 401, 404, 429)  # a record the path names: bad input (400), or no such record for the caller (404)
WRITE = (400, 401, 403, 404, 429)  # a change to a record: also 403, a workspace the caller may not edit
CONFLICTING = (400, 401, 403, 404, 409, 429)  # a write that a taken slug or the record's state can refuse (409)
CREATE = (400, 401, 403, 409, 429)  # a new record in a workspace: 403 not the caller's, 409 its slug taken
ACTION = (400, 401, 404, 409, 429)  # an action on the caller's own record that its state can refuse (409)
PREDICT = (400, 401, 404, 413, 429, 503)  # a prediction: 413 too large an image, 503 no network to run it


class PlatformRoutes(Routes):
    def __init__(self, tag: str, category: Category = "default"):
        super().__init__(tag)
        self.category = category  # the counter of an operation that names none
        self.categories: dict[tuple[str, str], Category] = {}

    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        self.categories[(method, path)] = options.pop("category", self.category)
        options.setdefault("scope", None)
        options.setdefault("errors", READ)
        return super()._add(method, path, **options)


def ok(body: Any, status: int = 200) -> Response:
    """A raw JSON answer: the live contract has no envelope."""
    return json_response(body, status)
