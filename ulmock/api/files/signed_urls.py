"""The one place a grant (`domain.grants`) becomes a signed `/files/...` URL, and back.

The domain says which file and until when; this module owns the shape of the path
(`/files/models/{id}/{name}` and the rest, as `files.py` and `uploads.py` route them)
and signs it with the world's `UrlSigner`. `reader` goes the other way for an ingest
that meets this emulator's own image URLs in an NDJSON file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, overload
from urllib.parse import parse_qs, unquote, urlsplit

from ulmock.domain.entities import Dataset, DatasetVersion, ModelFile
from ulmock.domain.errors import ApiError
from ulmock.domain.grants import BlobRef, Grant
from ulmock.domain.signing import SignedPath, UrlSigner
from ulmock.domain.world import World

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform

_DATASET_IMAGE = re.compile(r"^/files/datasets/([^/]+)/images/(.+)$")


def path(blob: BlobRef) -> str:
    """The unsigned, unquoted path the file is served (or, for uploads, taken) at."""
    kind, ident, name = blob.kind, blob.record_id, blob.name
    if kind == "dataset_image":
        return f"/files/datasets/{ident}/images/{name}"
    if kind == "upload":
        return f"/files/uploads/sessions/{ident}/{name}"
    if kind == "checkpoint":
        return f"/files/uploads/{ident}/{blob.run}/{name}"
    return f"/files/{kind}s/{ident}/{name}" if kind != "gdpr" else f"/files/gdpr/{ident}/{name}"


@overload
def signed(signer: UrlSigner, grant: Grant) -> SignedPath: ...
@overload
def signed(signer: UrlSigner, grant: None) -> None: ...
@overload
def signed(signer: UrlSigner, grant: Grant | None) -> SignedPath | None: ...


def signed(signer: UrlSigner, grant: Grant | None) -> SignedPath | None:
    """The grant's path, signed to expire with it (None for no grant: no download yet)."""
    return signer.sign_until(path(grant.blob), grant.expires_at) if grant is not None else None


def signed_files(signer: UrlSigner, files: Sequence[tuple[ModelFile, Grant]]) -> list[tuple[ModelFile, SignedPath]]:
    return [(file, signed(signer, grant)) for file, grant in files]


def url(signer: UrlSigner, grant: Grant, base_url: str) -> str:
    """The absolute signed URL a client is handed."""
    return signed(signer, grant).absolute(base_url)


def dataset_ndjson(platform: Platform, dataset: Dataset, base_url: str, version: DatasetVersion | None) -> str:
    """A dataset's NDJSON export, its links pointing at `base_url`."""
    signer = platform.world.signer
    dataset_url = f"{base_url.rstrip('/')}/api/datasets/{dataset.id}"
    lines = platform.datasets.ndjson_lines(dataset, dataset_url, lambda g: url(signer, g, base_url), version)
    return "\n".join(lines) + "\n"


def parse_image(unquoted_path: str) -> BlobRef | None:
    """A dataset image's path read back (the only kind an ingest follows)."""
    match = _DATASET_IMAGE.match(unquoted_path)
    return BlobRef("dataset_image", match.group(1), match.group(2)) if match else None


def reader(world: World) -> Callable[[str], bytes | None]:
    """Bytes behind a download URL this emulator signed (an NDJSON export's images), or None."""

    def read(link: str) -> bytes | None:
        parts = urlsplit(link)
        query = parse_qs(parts.query)
        try:
            world.signer.verify(
                parts.path,
                next(iter(query.get("expires", [])), None),
                next(iter(query.get("signature", [])), None),
                world.now(),
            )
        except ApiError:
            return None
        blob = parse_image(unquote(parts.path))
        dataset = world.datasets.find(blob.record_id) if blob else None
        image = next((i for i in dataset.images if i.file == blob.name), None) if dataset and blob else None
        if image is None or world.blobs.get(image.blob_id) is None:
            return None
        return world.blobs.read(image.blob_id)

    return read
