"""Batch auto-annotation: a run over a dataset's images, applied on the clock.

The face runs the network on every image the run covers when it is created (the same
call a single image's predict makes, so a batch's labels are exactly what single
predicts give); the run then works through those images at a pace per image,
appending each image's predicted boxes when its turn comes. Existing labels are never
changed. A dataset version is saved first, so the run can be undone by restoring it.
Cancelling stops at the image under way; a finished run waits to be dismissed.
"""

from __future__ import annotations

from typing import Any

from ulmock.domain.connections import BatchRun, PlannedLabels
from ulmock.domain.dataset_jobs import ACTIVE, in_flight, runs_of, stepping
from ulmock.domain.entities import Account, Dataset
from ulmock.domain.errors import Conflict
from ulmock.domain.world import World

EVENT = "batch.step"
QUEUE_SECONDS = 2.0
SECONDS_PER_IMAGE = 0.5


class Batches:
    def __init__(self, world: World):
        self.world = world
        world.clock.on(EVENT, self._step)

    def runs(self, account: Account, dataset: Dataset) -> list[BatchRun]:
        return runs_of(self.world.batches, account, dataset)

    def active(self, account: Account, dataset: Dataset) -> BatchRun | None:
        return in_flight(self.runs(account, dataset))

    def last_finished(self, account: Account, dataset: Dataset) -> BatchRun | None:
        return next((r for r in self.runs(account, dataset) if r.status not in ACTIVE and not r.dismissed), None)

    def check_free(self, account: Account, dataset: Dataset) -> None:
        if self.active(account, dataset) is not None:
            raise Conflict("An image-processing run of this dataset is already under way", {"dataset": dataset.slug})

    def start(
        self,
        account: Account,
        dataset: Dataset,
        model: str,
        confidence: float,
        iou: float,
        include_annotated: bool,
        planned: list[PlannedLabels],
        version: int | None,
    ) -> BatchRun:
        self.check_free(account, dataset)
        w = self.world
        run = w.create(
            w.batches,
            account.id,
            dataset_id=dataset.id,
            model=model,
            confidence=confidence,
            iou=iou,
            include_annotated=include_annotated,
            planned=planned,
            version=version,
        )
        w.clock.schedule(run.created_at + QUEUE_SECONDS, EVENT, {"accountId": account.id, "batchId": run.id})
        return run

    def stop(self, account: Account, dataset: Dataset) -> tuple[str, BatchRun | None]:
        """Cancel the run under way, else dismiss the last finished one: what was done, and to which."""
        run = self.active(account, dataset)
        if run is not None:
            run.status, run.finished_at = "cancelled", self.world.now()
            return "cancelled", run
        done = self.last_finished(account, dataset)
        if done is not None:
            done.dismissed = True
            return "dismissed", done
        return "none", None

    def _step(self, payload: dict[str, Any]) -> None:
        w = self.world
        run = stepping(w.batches, payload["accountId"], payload["batchId"])
        if run is None:
            return
        now = w.now()
        if run.status == "queued":
            run.status, run.started_at = "running", now
        else:
            dataset: Dataset | None = w.datasets(run.account_id).get(run.dataset_id)
            if dataset is None:
                run.status, run.error, run.finished_at = "failed", "The dataset was deleted", now
                return
            plan = run.planned[run.applied]
            image = next((i for i in dataset.images if i.file == plan.file), None)
            if image is not None and plan.boxes:
                image.annotations = {**image.annotations, "boxes": [*image.annotations.get("boxes", []), *plan.boxes]}
                run.annotations += len(plan.boxes)
                run.classes = sorted({*run.classes, *(int(b[0]) for b in plan.boxes)})
                dataset.updated_at = now
            run.applied += 1
        if run.applied >= len(run.planned):
            run.status, run.finished_at = "completed", now
            return
        w.clock.schedule(now + SECONDS_PER_IMAGE, EVENT, payload)
