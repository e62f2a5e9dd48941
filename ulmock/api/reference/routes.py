"""Declaring the reference face's operations: a handler returns its view, the edge answers.

    routes = ReferenceRoutes("datasets")

    @routes.post("/api/datasets", scope="datasets", body=CreateDataset, response=DatasetView, status=201)
    def create_dataset(call: Call) -> DatasetView:
        ...
        return dataset_view(dataset, call.account.username)

The edge wraps the value in the success envelope with the declared status (the one place
it is written). `mirrored=True` marks the routes the `ultralytics` package calls: their
answers carry the view's fields at the top level too (see `envelope`), and are published so.
A handler may still return a Response of its own (list pages, predictions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ulmock.api.operations import Handler, Routes
from ulmock.api.reference import envelope


class ReferenceRoutes(Routes):
    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        if options.pop("mirrored", False):
            options.update(raw_response=envelope.mirrored_shape(options["response"]), render=envelope.mirrored)
        options.setdefault("render", envelope.ok)
        return super()._add(method, path, **options)
