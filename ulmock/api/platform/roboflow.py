"""Roboflow import, against the emulated catalogue a scenario declares (nothing goes online)."""

from __future__ import annotations

from typing import Any, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.routes import WRITE, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Task
from ulmock.domain.entities import Account, Dataset
from ulmock.domain.roboflow import Candidate
from ulmock.scenarios.fixtures import add_fixture_dataset

routes = PlatformRoutes("Datasets")
ROBOFLOW_APP = "https://app.roboflow.com"


class RoboflowWorkspaceView(TypedDict):
    url: str
    name: str


class ImportCandidate(TypedDict):
    workspace: str
    projectId: str
    projectName: str
    projectType: str
    latestVersion: int
    latestVersionName: NotRequired[str]
    task: Task
    imageCount: NotRequired[int]
    sizeBytes: int


class StorageRoom(TypedDict):
    usedBytes: float
    limitBytes: float
    hasEnoughStorage: bool


class ImportPreview(TypedDict):
    workspace: RoboflowWorkspaceView
    newDatasets: list[ImportCandidate]
    importedDatasets: list[ImportCandidate]
    skippedCount: int
    missingVersionCount: int
    unsupportedCount: int
    unresolvedCount: int
    bytesTotal: int
    storage: StorageRoom


class Imported(TypedDict):
    projectId: str
    projectName: str
    version: int
    datasetId: str
    slug: str


class ImportFailed(TypedDict):
    projectId: str
    projectName: str
    version: int
    error: str


class ImportSkipped(TypedDict):
    projectId: str
    projectName: str
    version: int


class ImportReport(TypedDict):
    imported: list[Imported]
    failed: list[ImportFailed]
    skipped: list[ImportSkipped]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PreviewRequest(Body):
    apiKey: str = Field(min_length=1, max_length=128, description="Roboflow API key")


class ImportItem(Body):
    workspace: str = Field(min_length=1, max_length=128)
    projectId: str = Field(min_length=1, max_length=128)
    projectName: str = Field(min_length=1, max_length=100)
    projectType: str = Field(min_length=1, max_length=100)
    latestVersion: int = Field(gt=0)
    latestVersionName: str | None = Field(None, max_length=100)


class ImportRequest(PreviewRequest):
    items: list[ImportItem] = Field(min_length=1, max_length=500)


def _candidate(c: Candidate, with_size: bool = True) -> ImportCandidate:
    out = ImportCandidate(
        workspace=c.workspace.url,
        projectId=c.project.id,
        projectName=c.project.name,
        projectType=c.project.type,
        latestVersion=c.version.number,
        task=c.task,  # type: ignore[typeddict-item]
        imageCount=c.version.image_count,
        sizeBytes=c.version.size_bytes,
    )
    if c.version.name:
        out["latestVersionName"] = c.version.name
    return out


@routes.post("/api/integrations/roboflow/preview", body=PreviewRequest, response=ImportPreview, errors=WRITE)
def preview_roboflow(call: Call) -> Response:
    """What a Roboflow key reaches: new and already imported datasets, and whether they fit in storage."""
    p = call.platform
    found = p.roboflow.preview(call.account, call.body.apiKey)
    usage = p.storage.usage(call.account)
    total = sum(c.version.size_bytes for c in found.new)
    return ok(
        ImportPreview(
            workspace=RoboflowWorkspaceView(url=f"{ROBOFLOW_APP}/{found.workspace.url}", name=found.workspace.name),
            newDatasets=[_candidate(c) for c in found.new],
            importedDatasets=[_candidate(c) for c in found.imported],
            skippedCount=len(found.imported),
            missingVersionCount=found.missing_version,
            unsupportedCount=found.unsupported,
            unresolvedCount=0,
            bytesTotal=total,
            storage=StorageRoom(
                usedBytes=usage.used, limitBytes=usage.limit, hasEnoughStorage=usage.used + total <= usage.limit
            ),
        )
    )


@routes.post(
    "/api/integrations/roboflow/import",
    body=ImportRequest,
    response=ImportReport,
    status=201,
    errors=(400, 401, 403, 429),
)
def import_roboflow(call: Call) -> Response:
    """Import the picked project versions as datasets of the key's workspace, with their images and labels."""
    p = call.platform
    b: ImportRequest = call.body

    def add(account: Account, folder: str, name: str, task: str, tag: str) -> Dataset:
        dataset = add_fixture_dataset(p, account, folder, name, task=task)
        dataset.metadata = {**dataset.metadata, "source": tag}
        return dataset

    items: list[dict[str, Any]] = [i.model_dump() for i in b.items]
    workspace = p.roboflow.open(b.apiKey)
    wanted = sum(
        v.size_bytes
        for i in b.items
        for pr in workspace.projects
        if pr.id == i.projectId
        for v in pr.versions
        if v.number == i.latestVersion
    )
    p.storage.require_room(call.account, wanted)
    result = p.roboflow.import_items(call.account, b.apiKey, items, add)
    return ok(
        ImportReport(
            imported=[
                Imported(projectId=pr.id, projectName=pr.name, version=n, datasetId=public_id(d.id), slug=d.slug)
                for pr, n, d in result.imported
            ],
            failed=[ImportFailed(projectId=a, projectName=b_, version=n, error=e) for a, b_, n, e in result.failed],
            skipped=[ImportSkipped(projectId=a, projectName=b_, version=n) for a, b_, n in result.skipped],
        ),
        201,
    )
