"""Dataset analysis and similarity: descriptors of the pixels, neighbours, a map of the dataset.

An analysis is a job on the clock (queued, then running at a pace per image); when it
completes it holds one descriptor per image content (`ulmock.inference.descriptor`), a 2-D layout
of them (their first two principal components, scaled to [0, 1]) and clusters (k-means,
seeded). Finding similar images needs no analysis: a descriptor is computed (and cached)
for whatever is compared, so a near-duplicate is a neighbour as soon as it is stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ulmock.domain.connections import DatasetAnalysis
from ulmock.domain.dataset_jobs import DatasetJobs
from ulmock.domain.entities import Account, Dataset, DatasetImage
from ulmock.domain.errors import Conflict
from ulmock.domain.world import World

if TYPE_CHECKING:
    import numpy as np

EVENT = "analysis.step"
QUEUE_SECONDS = 2.0
SECONDS_PER_IMAGE = 0.25
SIMILAR_MAX = 20
CLUSTERS_MAX = 8


@dataclass(frozen=True)
class Neighbour:
    dataset: Dataset
    image: DatasetImage
    score: float


def _describe(data: bytes) -> list[float]:
    # numpy and PIL load with the first descriptor, not with the domain.
    from ulmock.inference.descriptor import describe

    return describe(data)


class Analyses(DatasetJobs[DatasetAnalysis]):
    def __init__(self, world: World, descriptor: Callable[[bytes], list[float]] | None = None):
        super().__init__(world, world.analyses, EVENT, "analysisId", QUEUE_SECONDS)
        self.descriptor = descriptor or _describe

    # -- descriptors and neighbours ---------------------------------------------------------
    def content_hash(self, image: DatasetImage) -> str:
        blob = self.world.blobs.get(image.blob_id)
        return blob.sha256 if blob is not None else image.blob_id

    def vector(self, image: DatasetImage) -> list[float] | None:
        """The image's descriptor; None when its bytes are gone or unreadable."""
        try:
            return self.descriptor(self.world.blobs.read(image.blob_id))
        except (KeyError, OSError, ValueError):
            return None

    def similar(
        self, query: DatasetImage, candidates: Iterable[tuple[Dataset, DatasetImage]], limit: int = SIMILAR_MAX
    ) -> list[Neighbour]:
        """The candidates most like `query`, best first; copies of it (same content) never count."""
        target = self.vector(query)
        if target is None:
            return []
        import numpy as np

        own = self.content_hash(query)
        q = np.asarray(target)
        scored = []
        for dataset, image in candidates:
            if self.content_hash(image) == own:
                continue
            v = self.vector(image)
            if v is not None:
                scored.append(Neighbour(dataset, image, round(float(np.dot(q, np.asarray(v))), 6)))
        return sorted(scored, key=lambda n: -n.score)[:limit]

    # -- the analysis job -------------------------------------------------------------------
    def shows_outcome(self, run: DatasetAnalysis) -> bool:
        return run.status == "completed"  # only a completed run has embeddings to show

    def start(self, account: Account, dataset: Dataset) -> DatasetAnalysis:
        if self.active(account, dataset) is not None:
            raise Conflict("An analysis of this dataset is already running", {"dataset": dataset.slug})
        return self.queue(account, dataset, total=len(dataset.images), images_at=dataset.updated_at)

    def cancel(self, account: Account, dataset: Dataset) -> DatasetAnalysis | None:
        run = self.active(account, dataset)
        if run is not None:
            self.cancel_run(run)
        return run

    def progress(self, run: DatasetAnalysis) -> tuple[float, int]:
        """Percent done and images processed, read off the clock."""
        if run.status != "running" or run.started_at is None or run.finishes_at is None:
            return (0.0, 0) if run.status == "queued" else (100.0, run.total)
        span = max(run.finishes_at - run.started_at, 1e-9)
        fraction = min(max((self.world.now() - run.started_at) / span, 0.0), 1.0)
        return round(100 * fraction, 1), min(int(run.total * fraction), run.total)

    def began(self, run: DatasetAnalysis, now: float) -> None:
        run.finishes_at = now + SECONDS_PER_IMAGE * max(run.total, 1)
        self.schedule(run, run.finishes_at)

    def step(self, run: DatasetAnalysis, now: float) -> None:
        """The analysis is done: every image described, then laid out and clustered."""
        w = self.world
        dataset: Dataset | None = w.datasets(run.account_id).get(run.dataset_id)
        images = dataset.images if dataset is not None else []
        for image in images:
            vector = self.vector(image)
            if vector is None:
                run.failed += 1
            else:
                run.vectors[self.content_hash(image)] = vector
        run.layout, run.clusters = layout_and_clusters(run.vectors, w.seed)
        run.status, run.finished_at = "completed", now


def layout_and_clusters(
    vectors: dict[str, list[float]], seed: int | None
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """A 2-D map (principal components, scaled to [0, 1]) and k-means clusters of the vectors."""
    import numpy as np

    keys = sorted(vectors)
    if not keys:
        return {}, {}
    data = np.asarray([vectors[k] for k in keys])
    centred = data - data.mean(axis=0)
    if len(keys) > 1:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        points = centred @ vt[:2].T
        if points.shape[1] < 2:
            points = np.hstack([points, np.zeros((len(keys), 2 - points.shape[1]))])
    else:
        points = np.zeros((1, 2))
    low, span = points.min(axis=0), np.ptp(points, axis=0)
    span[span == 0] = 1
    scaled = (points - low) / span
    k = min(CLUSTERS_MAX, max(1, round(math.sqrt(len(keys) / 2))))
    labels = kmeans(data, k, seed or 0)
    return (
        {key: [round(float(x), 6), round(float(y), 6)] for key, (x, y) in zip(keys, scaled, strict=True)},
        {key: int(c) for key, c in zip(keys, labels, strict=True)},
    )


def kmeans(data: np.ndarray, k: int, seed: int, rounds: int = 20) -> np.ndarray:
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = data[rng.choice(len(data), size=k, replace=False)]
    labels = np.zeros(len(data), dtype=int)
    for _ in range(rounds):
        labels = np.argmax(data @ centres.T, axis=1)  # unit vectors: nearest is the largest cosine
        moved = np.asarray([data[labels == c].mean(axis=0) if np.any(labels == c) else centres[c] for c in range(k)])
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        norms[norms == 0] = 1
        moved = moved / norms
        if np.allclose(moved, centres):
            break
        centres = moved
    return labels
