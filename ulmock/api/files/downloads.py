"""Signed downloads: `GET /files/{models,datasets,gdpr,exports}/...`.

Tampered, expired or unknown URLs are refused in the error envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ulmock.api.files import signed_urls
from ulmock.api.files.source import FileSource, verify_signature
from ulmock.api.reference import envelope
from ulmock.api.route_index import compiled_route
from ulmock.domain.errors import ApiError, NotFound
from ulmock.domain.media import media_type

Download = Callable[[Request], Response]


class SignedFiles:
    def __init__(self, source: FileSource):
        self.source = source

    def routes(self) -> list[Route]:
        return [
            compiled_route("/files/models/{modelId}/{name}", self._guard(self.model_file), methods=["GET"]),
            compiled_route(
                "/files/datasets/{datasetId}/images/{name:path}", self._guard(self.dataset_image), methods=["GET"]
            ),
            compiled_route("/files/datasets/{datasetId}/{name}", self._guard(self.dataset_ndjson), methods=["GET"]),
            compiled_route("/files/gdpr/{exportId}/{name}", self._guard(self.gdpr_export), methods=["GET"]),
            compiled_route("/files/exports/{exportId}/{name}", self._guard(self.export_artifact), methods=["GET"]),
            compiled_route("/files/{rest:path}", self._missing, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
        ]

    def _guard(self, handler: Download) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                with self.source.lock:
                    verify_signature(self.source, request)
                    return handler(request)
            except ApiError as err:
                return envelope.error(err)

        return endpoint

    async def _missing(self, request: Request) -> Response:
        return envelope.error(NotFound("No such file"))

    def _blob(self, blob_id: str | None) -> bytes:
        data = self.source.read_blob(blob_id) if blob_id is not None else None
        if data is None:
            raise NotFound("File not found")
        return data

    def model_file(self, request: Request) -> Response:
        model = self.source.platform.models.find_any(request.path_params["modelId"])
        if model is None or model.file is None or model.file.name != request.path_params["name"]:
            raise NotFound("File not found")
        return Response(
            self._blob(model.file.blob_id), media_type="application/octet-stream", headers=_attachment(model.file.name)
        )

    def dataset_ndjson(self, request: Request) -> Response:
        p = self.source.platform
        dataset = p.datasets.find_any(request.path_params["datasetId"])
        name = request.path_params["name"]
        if dataset is None or not name.startswith(f"{dataset.slug}.") or not name.endswith(".ndjson"):
            raise NotFound("File not found")
        middle = name[len(dataset.slug) + 1 : -len(".ndjson")]  # "" (as it is now) or "v3" (a saved version)
        if middle and not (middle[0] == "v" and middle[1:].isdigit()):
            raise NotFound("File not found")
        version = p.datasets.version(dataset, int(middle[1:])) if middle else None
        body = signed_urls.dataset_ndjson(p, dataset, self.source.public_url(request), version)
        return Response(body, media_type="application/x-ndjson", headers=_attachment(request.path_params["name"]))

    def dataset_image(self, request: Request) -> Response:
        dataset = self.source.platform.datasets.find_any(request.path_params["datasetId"])
        name = request.path_params["name"]
        image = next((i for i in dataset.images if i.file == name), None) if dataset else None
        if image is None:
            raise NotFound("File not found")
        return Response(self._blob(image.blob_id), media_type=media_type(name))

    def gdpr_export(self, request: Request) -> Response:
        export = self.source.platform.gdpr.find(request.path_params["exportId"])
        if export is None or export.file_name != request.path_params["name"]:
            raise NotFound("File not found")
        return Response(
            self._blob(export.blob_id), media_type="application/json", headers=_attachment(export.file_name)
        )

    def export_artifact(self, request: Request) -> Response:
        export = self.source.platform.exports.find_any(request.path_params["exportId"])
        if export is None or export.file_name != request.path_params["name"]:
            raise NotFound("File not found")
        return Response(
            self._blob(export.blob_id), media_type="application/octet-stream", headers=_attachment(export.file_name)
        )


def _attachment(name: str) -> dict[str, str]:
    """RFC 6266: an ASCII `filename` for old clients, the exact name in `filename*` (RFC 5987)."""
    fallback = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "._-")) or "download"
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}
