"""Signed uploads of whole files (dataset archives, model weights), as to a cloud bucket.

open -> the client PUTs the bytes to the signed path (no key: the signature is the
authority) -> complete checks the size and, when given, the MD5 the client computed.
Dataset archives are then ingested (`domain.ingest`).
"""

from __future__ import annotations

import hashlib
from typing import Literal

from ulmock.domain.entities import Account, UploadSession
from ulmock.domain.errors import Forbidden, NotFound, ValidationError
from ulmock.domain.grants import BlobRef, Grant, grant
from ulmock.domain.limits import UPLOAD_LIMIT
from ulmock.domain.world import World

UPLOAD_TTL = 12 * 3600.0
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".ndjson")
WEIGHT_SUFFIXES = (".pt", ".onnx")


class Uploads:
    def __init__(self, world: World):
        self.world = world

    def open(
        self,
        account: Account,
        asset_type: Literal["datasets", "models"],
        asset_id: str,
        filename: str,
        content_type: str,
        total_bytes: int,
    ) -> tuple[UploadSession, Grant]:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1]
        allowed = ARCHIVE_SUFFIXES if asset_type == "datasets" else WEIGHT_SUFFIXES
        if not name or not name.lower().endswith(allowed):
            raise ValidationError(f"filename must end in {', '.join(allowed)}", {"filename": filename[:200]})
        if not 0 < total_bytes <= UPLOAD_LIMIT:
            raise ValidationError(f"totalBytes must be between 1 and {UPLOAD_LIMIT}", {"totalBytes": total_bytes})
        w = self.world
        now = w.now()
        session = w.create(
            w.uploads,
            account.id,
            asset_type=asset_type,
            asset_id=asset_id,
            filename=name,
            content_type=content_type,
            total_bytes=total_bytes,
            created_at=now,
            expires_at=now + UPLOAD_TTL,
        )
        return session, grant(BlobRef("upload", session.id, session.filename), now, UPLOAD_TTL)

    def find_any(self, session_id: str) -> UploadSession | None:
        return self.world.uploads.find(session_id)

    def receive(self, session_id: str, data: bytes) -> UploadSession:
        """The bytes PUT to the signed URL: create-only, and exactly the size announced."""
        session = self.find_any(session_id)
        if session is None:
            raise NotFound("Upload session not found")
        if session.blob_id is not None:
            raise Forbidden("This upload URL has already been used")
        if len(data) != session.total_bytes:
            raise ValidationError(
                f"Expected {session.total_bytes} bytes, received {len(data)}",
                {"totalBytes": session.total_bytes, "received": len(data)},
            )
        session.blob_id = self.world.blobs.put(data, session.content_type).id
        return session

    def get(self, account: Account, session_id: str) -> UploadSession:
        session: UploadSession | None = self.world.uploads(account.id).get(session_id)
        if session is None:
            raise NotFound("Upload session not found")
        return session

    def complete(self, account: Account, session_id: str, md5: str | None = None) -> UploadSession:
        session = self.get(account, session_id)
        if session.blob_id is None:
            raise ValidationError("Nothing was uploaded to this session's URL", {"sessionId": session_id})
        if md5 is not None:
            actual = hashlib.md5(self.world.blobs.read(session.blob_id)).hexdigest()
            if actual != md5.lower():
                raise ValidationError("Checksum mismatch: the uploaded bytes differ", {"md5": md5})
        session.completed = True
        return session
