"""What `/files` reads the world through, and the checks every file route shares."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from starlette.requests import Request

from ulmock.api.served import Served


class Signatures(Protocol):
    def check_signature(self, quoted_path: str, expires: str | None, signature: str | None) -> None:
        """The path, expiry and signature agree, and the URL has not expired (else Forbidden)."""


class FileSource(Served, Signatures, Protocol):
    """What `/files` reads, under `lock`."""

    def read_blob(self, blob_id: str) -> bytes | None:
        """A stored file's bytes, or None where there is none."""

    def public_url(self, request: Request) -> str:
        """Where clients reach the emulator (for URLs inside a download)."""


def verify_signature(signatures: Signatures, request: Request) -> None:
    """Check the signed URL a request came on (Forbidden where it does not hold)."""
    signatures.check_signature(
        # The decoded path as routed: `request.url` re-parses it, and a `#` or `?` in a
        # file name would cut it short there.
        quote(request.scope["path"]),
        request.query_params.get("expires"),
        request.query_params.get("signature"),
    )
