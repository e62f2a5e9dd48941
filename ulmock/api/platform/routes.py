"""Declaring the live face's operations: the shared operation table, plus a rate category.

    routes = PlatformRoutes("projects")

    @routes.get("/api/projects/{owner}", response=ProjectList, category="default")
    def list_projects(call: Call) -> Response: ...

Everything `ulmock.api.operations.Routes` takes works here too (body, query, form, status,
errors, summary); `category` names the live contract's rate-limit counter. A module whose
operations all count against one counter names it once: `PlatformRoutes("Upload", category="upload")`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from starlette.responses import Response

from ulmock.api.operations import Handler, Routes
from ulmock.api.responses import json_response

Category = Literal["default", "training", "upload", "predict", "export", "download"]


class PlatformRoutes(Routes):
    def __init__(self, tag: str, category: Category = "default"):
        super().__init__(tag)
        self.category = category  # the counter of an operation that names none
        self.categories: dict[tuple[str, str], Category] = {}

    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        self.categories[(method, path)] = options.pop("category", self.category)
        options.setdefault("scope", None)
        options.setdefault("errors", (400, 401, 404, 429))
        return super()._add(method, path, **options)


def ok(body: Any, status: int = 200) -> Response:
    """A raw JSON answer: the live contract has no envelope."""
    return json_response(body, status)
