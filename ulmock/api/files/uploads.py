"""Signed checkpoint uploads: `PUT /files/uploads/...`, the `uploadUrl` a cloud bucket would take.

No API key, as with a bucket: the URL's HMAC and expiry are the authority, checked
before a byte of the body is read. The body streams in under a size cap, then becomes
the model's file through the domain (format check, storage quota).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ulmock.api.files.source import FileSource, verify_signature
from ulmock.api.reference import envelope
from ulmock.api.route_index import compiled_route
from ulmock.domain.errors import ApiError, ValidationError
from ulmock.domain.limits import UPLOAD_LIMIT


class SignedUploads:
    def __init__(self, source: FileSource, limit: int = UPLOAD_LIMIT):
        self.source = source
        self.limit = limit

    def routes(self) -> list[Route]:
        return [compiled_route("/files/uploads/{modelId}/{runId}/{name}", self.put, methods=["PUT"])]

    async def put(self, request: Request) -> Response:
        source = self.source
        try:
            with source.lock:
                verify_signature(source, request)
            data = await self._read(request)
            with source.lock:
                stored = source.platform.sdk_uploads.receive_upload(
                    request.path_params["modelId"], request.path_params["name"], data
                )
            return envelope.ok({"name": stored.name, "size": stored.size, "format": stored.format})
        except ApiError as err:
            return envelope.error(err)

    async def _read(self, request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():  # chunked uploads declare no length: count as it comes
            size += len(chunk)
            if size > self.limit:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> ValidationError:
        return ValidationError("Upload too large", {"body": f"at most {self.limit} bytes"}, status=413)
