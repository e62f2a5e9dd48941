"""HTTP handlers, one module per area: parse, one domain call, envelope."""

from __future__ import annotations

from ulmock.resources import (
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
from ulmock.routing import Operation

MODULES = (datasets, projects, models, predict, training, exports, deployments, activity, trash, billing, account, sdk)


def all_operations() -> list[Operation]:
    return [op for module in MODULES for op in module.routes.operations]
