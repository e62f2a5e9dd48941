"""Time-limited access to stored bytes: what the domain hands out instead of URLs.

A `Grant` names one file (the kind of record holding it, the record's id, the file's
name) and when access to it ends. The HTTP layer (`ulmock.api.files.signed_urls`) turns a grant
into a signed `/files/...` URL and reads such URLs back; the domain never sees one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BlobKind = Literal["model", "dataset", "dataset_image", "export", "gdpr", "upload", "checkpoint"]


@dataclass(frozen=True)
class BlobRef:
    """Which file: a model's weights, a dataset's NDJSON or one of its images, an export's
    artifact, a GDPR export, an upload session's target, a training run's checkpoint."""

    kind: BlobKind
    record_id: str  # the model, dataset, export, GDPR export or upload session
    name: str  # the file's name as the client sees it
    run: int = 0  # a checkpoint's training run


@dataclass(frozen=True)
class Grant:
    blob: BlobRef
    expires_at: float  # whole seconds on the emulator's clock


# How long the Platform's signed links to a file last.
DOWNLOAD_TTL = 3600.0  # weights, an export's artifact, a dataset's NDJSON, an image, a checkpoint PUT
EXPORTED_IMAGE_TTL = 7 * 86_400.0  # the image URLs inside a dataset's NDJSON, read long after
GDPR_DOWNLOAD_TTL = 86_400.0  # the archive of everything an account holds


def grant(blob: BlobRef, now: float, ttl: float = DOWNLOAD_TTL) -> Grant:
    """Access to `blob` for `ttl` seconds from `now`, ending on a whole second."""
    return Grant(blob, float(int(now + ttl)))
