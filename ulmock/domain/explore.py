"""Explore: searching the public projects and datasets of every workspace.

Only what its owner made public is found, whoever asks. A query is split into words;
a record matches when every word appears in its name, slug, description, tags, owner
or (datasets) class names, and its relevance is the sum of where they matched: a word
in the name counts most. Paging is per kind: `offset`/`limit` apply to projects and to
datasets separately, and `has_more` says whether either has more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ulmock.domain.entities import Account, Dataset, DatasetImage, Model, Project
from ulmock.domain.world import World

SORTS = ("relevance", "stars", "newest", "oldest", "name-asc", "name-desc", "count-desc", "count-asc")
# A record's license: the emulated world records none, which the contract writes "None".
NO_LICENSE = "None"


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    kinds: tuple[str, ...] = ("projects", "datasets")
    sort: str = "newest"
    offset: int = 0
    limit: int = 20
    tasks: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    author: str | None = None
    starred_by: Account | None = None  # only what this caller starred
    min_images: int | None = None
    max_images: int | None = None


@dataclass
class SearchResult:
    projects: list[Project] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    images: list[tuple[Dataset, DatasetImage, float]] = field(default_factory=list)
    has_more: bool = False


def _score(words: list[str], weighted: Iterable[tuple[str, int]]) -> int | None:
    """Sum of the weights of the fields each word appears in; None when a word appears nowhere."""
    fields = [(text.lower(), weight) for text, weight in weighted]
    total = 0
    for word in words:
        hits = sum(weight for text, weight in fields if word in text)
        if not hits:
            return None
        total += hits
    return total


class Explore:
    def __init__(self, world: World):
        self.world = world

    def models_of(self, project: Project) -> list[Model]:
        rows, _ = self.world.models(project.account_id).newest_first(project_id=project.id)
        return list(rows)

    def search(self, f: SearchFilters) -> SearchResult:
        words = f.q.lower().split()
        owners = {a.id: a for a in self.world.accounts.values() if not a.deleted}
        if f.author is not None:
            owners = {i: a for i, a in owners.items() if a.username == f.author}
        if f.licenses and NO_LICENSE not in f.licenses:
            owners = {}
        out = SearchResult()
        if "projects" in f.kinds:
            scored_projects: list[tuple[int, Project]] = []
            for account_id, owner in owners.items():
                for project in self.world.projects(account_id).newest_first()[0]:
                    if project.visibility != "public":
                        continue
                    if f.starred_by is not None and not (project.starred and f.starred_by.id == account_id):
                        continue
                    models = self.models_of(project)
                    if f.tasks and not any(m.task in f.tasks for m in models):
                        continue
                    score = _score(
                        words,
                        [
                            (project.name, 3),
                            (project.slug, 2),
                            (project.description, 1),
                            (" ".join(project.tags), 1),
                            (owner.username, 1),
                        ],
                    )
                    if score is not None:
                        scored_projects.append((score, project))
            counts = {p.id: len(self.models_of(p)) for _, p in scored_projects}
            ordered, more = self._page(scored_projects, f, lambda p: float(p.starred), lambda p: counts[p.id])
            out.projects, out.has_more = ordered, out.has_more or more
        if "datasets" in f.kinds and f.starred_by is None:  # datasets carry no stars here
            scored_datasets: list[tuple[int, Dataset]] = []
            for account_id, owner in owners.items():
                for dataset in self.world.datasets(account_id).newest_first()[0]:
                    if dataset.visibility != "public" or (f.tasks and dataset.task not in f.tasks):
                        continue
                    n = len(dataset.images)
                    if (f.min_images is not None and n < f.min_images) or (
                        f.max_images is not None and n > f.max_images
                    ):
                        continue
                    score = _score(
                        words,
                        [
                            (dataset.name, 3),
                            (dataset.slug, 2),
                            (" ".join(dataset.class_names), 2),
                            (dataset.description, 1),
                            (owner.username, 1),
                        ],
                    )
                    if score is not None:
                        scored_datasets.append((score, dataset))
            ordered_d, more = self._page(scored_datasets, f, lambda d: 0.0, lambda d: len(d.images))
            out.datasets, out.has_more = ordered_d, out.has_more or more
        return out

    def search_images(self, f: SearchFilters, caller: Account) -> SearchResult:
        """Images by what they show: every query word must name a class of one of the image's
        boxes (or be in its file name); the score is the share of its boxes the words name.
        Public datasets of every workspace, and the caller's own."""
        words = f.q.lower().split()
        found: list[tuple[float, float, Dataset, DatasetImage]] = []
        for account_id, table in self.world.datasets.by_account.items():
            owner = self.world.accounts.get(account_id)
            if owner is None or owner.deleted or (f.author is not None and owner.username != f.author):
                continue
            for dataset in table.newest_first()[0]:
                if dataset.visibility != "public" and account_id != caller.id:
                    continue
                if f.tasks and dataset.task not in f.tasks:
                    continue
                names = dataset.class_names
                for image in dataset.images:
                    shown = [
                        names[int(b[0])].lower() for b in image.annotations.get("boxes", []) if int(b[0]) < len(names)
                    ]
                    if not all(any(w in n for n in shown) or w in image.file.lower() for w in words):
                        continue
                    hits = sum(1 for n in shown if any(w in n for w in words))
                    score = round(hits / len(shown), 4) if shown and words else (1.0 if words else 0.0)
                    found.append((score, dataset.updated_at, dataset, image))
        found.sort(key=lambda t: (-t[0], -t[1]))
        page = found[f.offset : f.offset + f.limit]
        return SearchResult(images=[(d, i, s) for s, _, d, i in page], has_more=f.offset + f.limit < len(found))

    @staticmethod
    def _page(
        scored: list[tuple[int, Any]], f: SearchFilters, stars: Callable[[Any], float], count: Callable[[Any], int]
    ) -> tuple[list[Any], bool]:
        # Stable sorts: ties keep the newest first (within a workspace, the last created).
        rows = sorted(scored, key=lambda sr: -sr[1].created_at)
        if f.sort == "relevance":
            rows.sort(key=lambda sr: -sr[0])
        elif f.sort == "stars":
            rows.sort(key=lambda sr: -stars(sr[1]))
        elif f.sort == "oldest":
            rows.sort(key=lambda sr: sr[1].created_at)
        elif f.sort in ("name-asc", "name-desc"):
            rows.sort(key=lambda sr: sr[1].name.lower(), reverse=f.sort == "name-desc")
        elif f.sort in ("count-desc", "count-asc"):
            rows.sort(key=lambda sr: count(sr[1]), reverse=f.sort == "count-desc")
        page = [r for _, r in rows[f.offset : f.offset + f.limit]]
        return page, f.offset + f.limit < len(rows)
