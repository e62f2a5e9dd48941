"""The `ultralytics` package's training callbacks, as both faces serve them.

`POST /api/webhooks/training/metrics` means the same in either face; only the answer's
shape differs. What the two share is here: how large a report may be, how it reaches the
domain, and the model page the SDK prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from ulmock.api.operations import Call
from ulmock.domain.entities import Project
from ulmock.domain.sdk_runs import Report

REPORT_BODY_LIMIT = 8 * 1024 * 1024  # training_complete carries curves and per-image validation rows


@dataclass(frozen=True)
class Reported:
    report: Report
    project: Project
    model_page: str
    """The model's page on the Platform; the SDK prints it (and maps it back to ul://)."""


def pass_on(call: Call, model_id: str | None) -> Reported:
    """Hand the call's `TrainingReport` to the domain (model named by `model_id`, the
    domain's own id, or found from project and name)."""
    b, p = call.body, call.platform
    report = p.sdk_runs.report(call.account, b.event, b.data, model_id, b.project, b.name)
    project = p.projects.get(call.account, report.model.project_id)
    page = f"{call.base_url}/{call.account.username}/{project.slug}/{report.model.slug}"
    return Reported(report, project, page)
