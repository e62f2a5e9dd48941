"""The reference face: the seed's contract (id paths, the `{success, data, meta}` envelope).

One module per area of `/api` (datasets.py serves `/api/datasets...`), each a table of
operations whose handlers parse, make one domain call and shape the answer; `views.py`
holds what each record shows, `envelope.py` the two envelopes, `openapi.py` the document.
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

    areas = (datasets, projects, models, predict, training, exports, deployments, activity, trash, billing, account, sdk)
    return [op for area in areas for op in area.routes.operations]
