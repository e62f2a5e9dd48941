"""Declaring the reference face's operations: a handler returns its view, the edge answers.

    routes = ReferenceRoutes("datasets", scope="datasets")

    @routes.create("/api/datasets", "datasetId", "get_dataset", body=CreateDataset, response=DatasetView)
    def create_dataset(call: Call) -> DatasetView:
        ...
        return dataset_view(dataset, call.account.username)

`scope` is the key scope every operation of the module needs unless it says otherwise
(`scope=None`: any key). The edge wraps the value in the success envelope with the declared status (the one place
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
    def __init__(self, tag: str, scope: str | None = None):
        super().__init__(tag)
        self.scope = scope

    def _add(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        if self.scope is not None:
            options.setdefault("scope", self.scope)
        if options.pop("mirrored", False):
            options.update(raw_response=envelope.mirrored_shape(options["response"]), render=envelope.mirrored)
        options.setdefault("render", envelope.ok)
        return super()._add(method, path, **options)

    def create(self, path: str, id_param: str, *follow: str, **options: Any) -> Callable[[Handler], Handler]:
        """A POST that makes something: it answers 201, linked by its `data.id` (as `id_param`)
        to the operations in `follow`."""
        return self.post(path, status=201, links=_id_links(id_param, *follow), **options)


def _id_links(param: str, *operation_ids: str) -> dict[str, dict[str, Any]]:
    """OpenAPI links from a created resource's `data.id` to the operations that take it as `param`."""
    return {
        "".join(word.capitalize() for word in op.split("_")): {
            "operationId": op,
            "parameters": {param: "$response.body#/data/id"},
        }
        for op in operation_ids
    }
