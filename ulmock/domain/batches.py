"""Batch auto-annotation: a run over a dataset's images, applied on the clock.

The face runs the network on every image the run covers when it is created (the same
call a single image's predict makes, so a batch's labels are exactly what single
predicts give); the run then works through those images at a pace per image,
appending each image's predicted boxes when its turn comes. Existing labels are never
changed. A dataset version is saved first, so the run can be undone by restoring it.
Cancelling stops at the image under way; a finished run waits to be dismissed.
"""

from __future__ import annotations

from ulmock.domain.connections import BatchRun, PlannedLabels
from ulmock.domain.dataset_jobs import ACTIVE, DatasetJobs
from ulmock.domain.entities import Account, Dataset
from ulmock.domain.errors import Conflict
from ulmock.domain.world import World

EVENT = "batch.step"
QUEUE_SECONDS = 2.0
SECONDS_PER_IMAGE = 0.5


class Batches(DatasetJobs[BatchRun]):
    def __init__(self, world: World):
        super().__init__(world, world.batches, EVENT, "batchId", QUEUE_SECONDS)

    def shows_outcome(self, run: BatchRun) -> bool:
        return run.status not in ACTIVE and not run.dismissed  # until the user dismisses it

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
        return self.queue(
            account,
            dataset,
            model=model,
            confidence=confidence,
            iou=iou,
            include_annotated=include_annotated,
            planned=planned,
            version=version,
        )

    def stop(self, account: Account, dataset: Dataset) -> tuple[str, BatchRun | None]:
        """Cancel the run under way, else dismiss the last finished one: what was done, and to which."""
        run = self.active(account, dataset)
        if run is not None:
            self.cancel_run(run)
            return "cancelled", run
        done = self.last_outcome(account, dataset)
        if done is not None:
            done.dismissed = True
            return "dismissed", done
        return "none", None

    def began(self, run: BatchRun, now: float) -> None:
        self._next_image(run, now)  # a run with no images is done at once

    def step(self, run: BatchRun, now: float) -> None:
        """The image under way is labelled: its planned boxes join its own."""
        dataset: Dataset | None = self.world.datasets(run.account_id).get(run.dataset_id)
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
        self._next_image(run, now)

    def _next_image(self, run: BatchRun, now: float) -> None:
        if run.applied >= len(run.planned):
            run.status, run.finished_at = "completed", now
        else:
            self.schedule(run, now + SECONDS_PER_IMAGE)
