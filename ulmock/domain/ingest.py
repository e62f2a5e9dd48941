"""Ingesting an uploaded archive into a dataset, on the clock.

`start` marks the dataset `processing` and schedules the work; when the clock reaches
it, the archive is read (`domain.archives`) and its images and labels join the dataset
(`ready`), or the dataset is `failed` with the reason. Either way `last_ingest` says
what was added and what was skipped.
"""

from __future__ import annotations

from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.archives import ArchiveError, UrlReader, parse_upload
from ulmock.domain.entities import Account, Dataset, DatasetImage, IngestRun
from ulmock.domain.errors import Conflict, ValidationError
from ulmock.domain.media import image_media_type
from ulmock.domain.uploads import Uploads
from ulmock.domain.world import World

EVENT = "dataset.ingest"
# Seconds from queued to done: a start-up cost, then by size (the real service takes minutes).
BASE_SECONDS = 5.0
SECONDS_PER_MB = 0.5


class Ingest:
    def __init__(self, world: World, uploads: Uploads, activity: Activity):
        self.world = world
        self.uploads = uploads
        self.activity = activity
        # Bytes behind a link this emulator signed (an NDJSON export's images), else None.
        # Links are the HTTP layer's: it sets this (`ulmock.api.files.signed_urls.reader`).
        self.read_link: UrlReader = _no_link
        world.clock.on(EVENT, self._run)

    def start(
        self,
        account: Account,
        dataset: Dataset,
        session_id: str,
        *,
        target_split: str | None = None,
        conflict_policy: str = "skip",
    ) -> IngestRun:
        session = self.uploads.get(account, session_id)
        if session.asset_type != "datasets" or session.asset_id != dataset.id:
            raise ValidationError("This upload session is not for this dataset", {"sessionId": session_id})
        if dataset.status == "processing":
            raise Conflict("An import is already running for this dataset", {"dataset": dataset.slug})
        if not session.completed:
            self.uploads.complete(account, session_id)
        w = self.world
        now = w.now()
        run = IngestRun(
            job_id=w.ids.new("ingest"),
            upload_id=session.id,
            started_at=now,
            target_split=target_split,
            conflict_policy=conflict_policy,
        )
        dataset.last_ingest = run
        dataset.status = "processing"
        dataset.updated_at = now
        delay = BASE_SECONDS + SECONDS_PER_MB * session.total_bytes / 1e6
        w.clock.schedule(now + delay, EVENT, {"accountId": account.id, "datasetId": dataset.id, "jobId": run.job_id})
        return run

    def _run(self, payload: dict[str, Any]) -> None:
        w = self.world
        dataset: Dataset | None = w.datasets(payload["accountId"]).get(payload["datasetId"])
        run = dataset.last_ingest if dataset is not None else None
        if dataset is None or run is None or run.job_id != payload["jobId"]:
            return  # deleted meanwhile, or superseded
        session = w.uploads.find(run.upload_id)
        try:
            if session is None or session.blob_id is None or w.blobs.get(session.blob_id) is None:
                raise ArchiveError("The uploaded file is no longer available")
            self._add(dataset, run, session.filename, w.blobs.read(session.blob_id))
        except ArchiveError as exc:
            run.error = str(exc)
        run.finished_at = w.now()
        dataset.status = "failed" if run.error else "ready"
        dataset.updated_at = w.now()
        account = w.accounts.get(dataset.account_id)
        if account is not None:
            outcome = f"failed: {run.error}" if run.error else f"added {run.added} image(s)"
            self.activity.record(
                account, "dataset.ingested", f"Import into '{dataset.name}' {outcome}", "dataset", dataset.id
            )

    def _add(self, dataset: Dataset, run: IngestRun, filename: str, data: bytes) -> None:
        parsed = parse_upload(filename, data, self.read_link)
        if not dataset.class_names:
            dataset.class_names = list(parsed.class_names)
        known = {image.file: n for n, image in enumerate(dataset.images)}
        skipped = parsed.skipped
        limit = len(dataset.class_names)
        for image in parsed.images:
            name = image.name
            if name in known and run.conflict_policy == "skip":
                skipped["duplicate"] += 1
                continue
            if name in known and run.conflict_policy == "keep_both":
                stem, dot, suffix = name.rpartition(".")
                n = 2
                while f"{stem}-{n}{dot}{suffix}" in known:
                    n += 1
                name = f"{stem}-{n}{dot}{suffix}"
            if limit and any(int(box[0]) >= limit for box in image.boxes):
                skipped["unknown_class"] += 1
                continue
            blob = self.world.blobs.put(image.data, image_media_type(name))
            entry = DatasetImage(
                file=name,
                blob_id=blob.id,
                width=image.width,
                height=image.height,
                split=run.target_split or image.split,
                annotations={"boxes": [[int(b[0]), *b[1:]] for b in image.boxes]},
            )
            if name in known:  # replace
                dataset.images[known[name]] = entry
            else:
                known[name] = len(dataset.images)
                dataset.images.append(entry)
            run.added += 1
        if not limit:
            top = max((int(b[0]) for i in dataset.images for b in i.annotations.get("boxes", [])), default=-1)
            dataset.class_names = [f"class{n}" for n in range(top + 1)]
        run.skipped = dict(skipped)
        run.errors = sum(skipped.values())
        if run.added == 0:
            raise ArchiveError(
                f"No images could be added ({', '.join(f'{k}: {v}' for k, v in skipped.items())})"
                if skipped
                else "No images could be added"
            )


def _no_link(link: str) -> bytes | None:
    return None
