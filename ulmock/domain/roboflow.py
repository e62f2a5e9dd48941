"""Importing from Roboflow, offline: an emulated catalogue of workspaces a scenario declares.

Each workspace is opened by its API key and holds projects with numbered versions, each
backed by a YOLO fixture folder. A preview lists what the key reaches (new, already
imported, unsupported, without versions) against the caller's storage; an import makes
one dataset per picked project version from the folder's real images and labels, and
reports each item as imported, skipped (already there) or failed (unknown project or
version). The catalogue belongs to no account: it is kept under `CATALOGUE`, so
snapshots carry it like any table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ulmock.domain.connections import RoboflowProject, RoboflowVersion, RoboflowWorkspace
from ulmock.domain.entities import Account, Dataset
from ulmock.domain.errors import ValidationError
from ulmock.domain.world import World

CATALOGUE = "roboflow-catalogue"
# Roboflow project types and the task each imports as; others are unsupported here.
TASK_OF_TYPE = {"object-detection": "detect"}


@dataclass(frozen=True)
class Candidate:
    workspace: RoboflowWorkspace
    project: RoboflowProject
    version: RoboflowVersion
    task: str
    imported: Dataset | None


@dataclass
class Preview:
    workspace: RoboflowWorkspace
    new: list[Candidate] = field(default_factory=list)
    imported: list[Candidate] = field(default_factory=list)
    unsupported: int = 0
    missing_version: int = 0


@dataclass
class ImportResult:
    imported: list[tuple[RoboflowProject, int, Dataset]] = field(default_factory=list)
    skipped: list[tuple[str, str, int]] = field(default_factory=list)
    failed: list[tuple[str, str, int, str]] = field(default_factory=list)


def source_tag(workspace: RoboflowWorkspace, project_id: str, version: int) -> str:
    return f"roboflow:{workspace.url}/{project_id}/{version}"


class Roboflow:
    def __init__(self, world: World):
        self.world = world

    def add_workspace(self, api_key: str, url: str, name: str, projects: list[RoboflowProject]) -> RoboflowWorkspace:
        w = self.world
        workspace = RoboflowWorkspace(
            id=w.ids.new(w.roboflow.prefix), api_key=api_key, url=url, name=name, projects=projects
        )
        w.roboflow(CATALOGUE).add(workspace.id, workspace)
        return workspace

    def open(self, api_key: str) -> RoboflowWorkspace:
        rows, total = self.world.roboflow(CATALOGUE).newest_first(api_key=api_key.strip())
        workspace: RoboflowWorkspace | None = next(rows, None) if total else None
        if workspace is None:
            raise ValidationError("Invalid Roboflow API key", {"apiKey": "not accepted by Roboflow"})
        return workspace

    def imported_as(self, account: Account, tag: str) -> Dataset | None:
        return next((d for d in self.world.datasets(account.id).values() if d.metadata.get("source") == tag), None)

    def preview(self, account: Account, api_key: str) -> Preview:
        workspace = self.open(api_key)
        out = Preview(workspace)
        for project in workspace.projects:
            task = TASK_OF_TYPE.get(project.type)
            if task is None:
                out.unsupported += 1
                continue
            if not project.versions:
                out.missing_version += 1
                continue
            latest = max(project.versions, key=lambda v: v.number)
            done = self.imported_as(account, source_tag(workspace, project.id, latest.number))
            (out.imported if done else out.new).append(Candidate(workspace, project, latest, task, done))
        return out

    def import_items(
        self, account: Account, api_key: str, items: list[dict[str, Any]], add_dataset: Any
    ) -> ImportResult:
        """`add_dataset(account, folder, name, task, tag) -> Dataset` makes each dataset (the fixture loader)."""
        workspace = self.open(api_key)
        result = ImportResult()
        for item in items:
            pid, pname, number = item["projectId"], item["projectName"], int(item["latestVersion"])
            project = (
                next((p for p in workspace.projects if p.id == pid), None)
                if item["workspace"] == workspace.url
                else None
            )
            if project is None:
                result.failed.append((pid, pname, number, "Roboflow project not found"))
                continue
            task = TASK_OF_TYPE.get(project.type)
            version = next((v for v in project.versions if v.number == number), None)
            if task is None:
                result.failed.append((pid, pname, number, f"Project type '{project.type}' is not supported"))
            elif version is None:
                result.failed.append((pid, pname, number, f"Version {number} not found"))
            elif self.imported_as(account, source_tag(workspace, pid, number)) is not None:
                result.skipped.append((pid, pname, number))
            else:
                dataset = add_dataset(account, version.folder, project.name, task, source_tag(workspace, pid, number))
                result.imported.append((project, number, dataset))
        return result
