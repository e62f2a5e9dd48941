"""The reference face: the seed's contract (id paths, the `{success, data, meta}` envelope).

Layout
    <area>.py    one module per area of `/api` (datasets.py serves `/api/datasets...`): its
                 response shapes (TypedDicts) and its operations, whose handlers parse,
                 make one domain call and return the shape
    views.py     the `@shape` marker and the shapes several areas answer with
    routes.py    ReferenceRoutes: a handler's value -> the envelope, with the declared status
    requests.py  the query, body and form models of the areas
    envelope.py  the envelopes (ok, paged, error, mirrored for the SDK's routes)
    policy.py    the edge's policy: the error envelope, per-account minute and day quotas
    openapi.py   the document, from the operation table and the shapes
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ulmock.api.operations import Operation


def all_operations() -> list[Operation]:
    # Imported here: the area modules import `envelope` from this package.
    from ulmock.api.reference import (
        account,
        activity,
        billing,
        datasets,
        deployments,
        exports,
        models,
        predict,
        projects,
        sdk,
        training,
        trash,
    )

    areas = (
        datasets,
        projects,
        models,
        predict,
        training,
        exports,
        deployments,
        activity,
        trash,
        billing,
        account,
        sdk,
    )
    return [op for area in areas for op in area.routes.operations]
