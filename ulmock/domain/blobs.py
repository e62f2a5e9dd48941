"""Stored bytes: uploads in memory, fixture files by path. Sizes feed storage usage."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ulmock.domain.entities import Blob
from ulmock.domain.ids import IdFactory


class BlobStore:
    def __init__(self, ids: IdFactory):
        self._ids = ids
        self.blobs: dict[str, Blob] = {}

    def put(self, data: bytes, content_type: str = "application/octet-stream") -> Blob:
        blob = Blob(
            id=self._ids.new("blob"),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content_type=content_type,
            data=data,
        )
        self.blobs[blob.id] = blob
        return blob

    def put_file(self, path: Path, content_type: str, sha256: str | None = None, size: int | None = None) -> Blob:
        """Reference a file on disk without loading it (fixtures shared by many worlds);
        a caller that knows its digest and size spares reading and statting it."""
        data = path.read_bytes() if sha256 is None else b""
        blob = Blob(
            id=self._ids.new("blob"),
            size=path.stat().st_size if size is None else size,
            sha256=sha256 or hashlib.sha256(data).hexdigest(),
            content_type=content_type,
            path=str(path),
        )
        self.blobs[blob.id] = blob
        return blob

    def get(self, blob_id: str) -> Blob | None:
        return self.blobs.get(blob_id)

    def read(self, blob_id: str) -> bytes:
        blob = self.blobs[blob_id]
        if blob.data is not None:
            return blob.data
        assert blob.path is not None
        return Path(blob.path).read_bytes()

    def moved_to_file(self, blob_id: str, path: str) -> None:
        """The blob's bytes are now also in `path` (a file that never changes): read them
        from there and free the memory."""
        blob = self.blobs.get(blob_id)
        if blob is not None and blob.data is not None:
            blob.path, blob.data = path, None

    def delete(self, blob_id: str) -> None:
        self.blobs.pop(blob_id, None)
