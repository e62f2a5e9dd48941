"""`/files/...`: the emulator's own bucket, as a cloud bucket serves it.

No API key: a signed URL's path, expiry and HMAC are the authority. Signed GETs
download what the domain holds (`downloads`), signed PUTs take checkpoints
(`uploads`); anything else under /files is refused in the error envelope.

Both read the world through a `FileSource` (the emulator is one): its lock, the
platform served now, the blobs and the signature check.
"""

from __future__ import annotations

from starlette.routing import Route

from ulmock.api.files.downloads import SignedFiles
from ulmock.api.files.source import FileSource, Signatures, verify_signature
from ulmock.api.files.uploads import SignedUploads
from ulmock.domain.media import media_type

__all__ = ["FileSource", "Signatures", "SignedFiles", "SignedUploads", "file_routes", "media_type", "verify_signature"]


def file_routes(source: FileSource) -> list[Route]:
    """Every route under /files (uploads first: the downloads' catch-all takes PUT too)."""
    return [*SignedUploads(source).routes(), *SignedFiles(source).routes()]
