"""Signed downloads served by ulmock itself, as a cloud bucket would serve them.

No API key: the URL's signature and expiry are the authority. Tampered, expired or
unknown URLs are refused in the error envelope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ulmock.api import downloads
from ulmock.api.reference import envelope
from ulmock.domain.errors import ApiError, NotFound

if TYPE_CHECKING:
    from ulmock.emulator import Emulator

MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
               ".bmp": "image/bmp", ".json": "application/json", ".ndjson": "application/x-ndjson"}  # fmt: skip


def media_type(name: str) -> str:
    dot = name.rfind(".")
    return MEDIA_TYPES.get(name[dot:].lower(), "application/octet-stream") if dot >= 0 else "application/octet-stream"


def verify_signature(emulator: Emulator, request: Request) -> None:
    """The URL's path, expiry and signature agree, and it has not expired (else 403)."""
    emulator.platform.world.signer.verify(
        # The decoded path as routed: `request.url` re-parses it, and a `#` or `?` in a
        # file name would cut it short there.
        quote(request.scope["path"]),
        request.query_params.get("expires"),
        request.query_params.get("signature"),
        emulator.clock.now(),
    )


class SignedFiles:
    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def routes(self) -> list[Route]:
        return [
            Route("/files/models/{modelId}/{name}", self._guard(self.model_file), methods=["GET"]),
            Route("/files/datasets/{datasetId}/images/{name:path}", self._guard(self.dataset_image), methods=["GET"]),
            Route("/files/datasets/{datasetId}/{name}", self._guard(self.dataset_ndjson), methods=["GET"]),
            Route("/files/gdpr/{exportId}/{name}", self._guard(self.gdpr_export), methods=["GET"]),
            Route("/files/exports/{exportId}/{name}", self._guard(self.export_artifact), methods=["GET"]),
            Route("/files/{rest:path}", self._missing, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        ]

    def _guard(self, handler):
        async def endpoint(request: Request) -> Response:
            emulator = self.emulator
            try:
                with emulator.lock:
                    verify_signature(emulator, request)
                    return handler(request)
            except ApiError as err:
                return envelope.error(err)

        return endpoint

    async def _missing(self, request: Request) -> Response:
        return envelope.error(NotFound("No such file"))

    def model_file(self, request: Request) -> Response:
        p = self.emulator.platform
        model = p.models.find_any(request.path_params["modelId"])
        if model is None or model.file is None or model.file.name != request.path_params["name"]:
            raise NotFound("File not found")
        data = p.world.blobs.read(model.file.blob_id)
        return Response(data, media_type="application/octet-stream", headers=_attachment(model.file.name))

    def dataset_ndjson(self, request: Request) -> Response:
        p = self.emulator.platform
        dataset = p.datasets.find_any(request.path_params["datasetId"])
        name = request.path_params["name"]
        if dataset is None or not name.startswith(f"{dataset.slug}.") or not name.endswith(".ndjson"):
            raise NotFound("File not found")
        middle = name[len(dataset.slug) + 1 : -len(".ndjson")]  # "" (as it is now) or "v3" (a saved version)
        if middle and not (middle[0] == "v" and middle[1:].isdigit()):
            raise NotFound("File not found")
        version = p.datasets.version(dataset, int(middle[1:])) if middle else None
        body = downloads.dataset_ndjson(p, dataset, self.emulator.public_url(request), version)
        return Response(body, media_type="application/x-ndjson", headers=_attachment(request.path_params["name"]))

    def dataset_image(self, request: Request) -> Response:
        p = self.emulator.platform
        dataset = p.datasets.find_any(request.path_params["datasetId"])
        name = request.path_params["name"]
        image = next((i for i in dataset.images if i.file == name), None) if dataset else None
        if image is None:
            raise NotFound("File not found")
        blob = p.world.blobs.get(image.blob_id)
        if blob is None:
            raise NotFound("File not found")
        return Response(p.world.blobs.read(blob.id), media_type=media_type(name))

    def gdpr_export(self, request: Request) -> Response:
        p = self.emulator.platform
        export = p.gdpr.find(request.path_params["exportId"])
        if export is None or export.file_name != request.path_params["name"] or p.world.blobs.get(export.blob_id) is None:
            raise NotFound("File not found")
        return Response(p.world.blobs.read(export.blob_id), media_type="application/json",
                        headers=_attachment(export.file_name))  # fmt: skip


    def export_artifact(self, request: Request) -> Response:
        p = self.emulator.platform
        export = p.exports.find_any(request.path_params["exportId"])
        if export is None or export.blob_id is None or export.file_name != request.path_params["name"]:
            raise NotFound("File not found")
        if p.world.blobs.get(export.blob_id) is None:
            raise NotFound("File not found")
        return Response(p.world.blobs.read(export.blob_id), media_type="application/octet-stream",
                        headers=_attachment(export.file_name))  # fmt: skip


def _attachment(name: str) -> dict[str, str]:
    """RFC 6266: an ASCII `filename` for old clients, the exact name in `filename*` (RFC 5987)."""
    fallback = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "._-")) or "download"
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}
