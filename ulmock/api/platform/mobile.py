"""Mobile import links: a 24-hour bearer link to a completed Core ML or LiteRT export.

`POST .../exports/{exportId}/mobile` (with the owner's key) answers an `importUrl` whose
fragment carries `expires` and `signature`; the Ultralytics app sends those back to
`POST /api/mobile/models/{exportId}` (no key: the signature is the authority) for the
model's descriptor and a download URL that expires with the link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.operations import Call
from ulmock.api.parsing import read_json, validate
from ulmock.api.platform.exports import LIVE_FORMAT, export_at
from ulmock.api.platform.ids import HEX_ID, find_public
from ulmock.api.platform.policy import error_response
from ulmock.api.platform.routes import ACTION, PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Task
from ulmock.domain.clock import iso
from ulmock.domain.entities import Export
from ulmock.domain.errors import ApiError, Conflict, Forbidden, InternalError, NotFound, ValidationError
from ulmock.domain.grants import BlobRef

if TYPE_CHECKING:
    from ulmock.emulator import Emulator

routes = PlatformRoutes("Exports")
LINK_TTL = 24 * 3600.0
MOBILE_FORMATS = ("coreml", "coreai", "litert")  # live names; what the iOS and Android apps load


class MobileLink(TypedDict):
    importUrl: str
    expiresAt: str


class MobileModel(TypedDict):
    version: Literal[1]
    exportId: str
    name: str
    task: Task
    format: Literal["coreml", "coreai", "litert"]
    filename: str
    size: float
    downloadUrl: str
    expiresAt: str


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    expires: int = Field(ge=0)
    signature: str = Field(min_length=1, max_length=128)


def _link_path(export_id: str) -> str:
    return f"/api/mobile/models/{export_id}"


@routes.post(
    "/api/models/{owner}/{project}/{model}/exports/{exportId}/mobile",
    response=MobileLink,
    category="export",
    errors=ACTION,
)
def mobile(call: Call) -> Response:
    """A 24-hour link anyone can use to install this completed Core ML or LiteRT export on a phone."""
    export = export_at(call)
    live = LIVE_FORMAT.get(export.format)
    if live not in MOBILE_FORMATS:
        raise ValidationError(
            f"Only {', '.join(MOBILE_FORMATS)} exports install on mobile, not {live}", {"format": live}
        )
    if export.status != "completed":
        raise Conflict(f"The export is {export.status}: a link needs a completed export", {"status": export.status})
    w = call.platform.world
    signed = w.signer.sign(_link_path(call.params["exportId"]), w.now(), LINK_TTL)
    query = signed.path.partition("?")[2]
    return ok(
        MobileLink(
            importUrl=f"{call.base_url.rstrip('/')}/mobile/import/{call.params['exportId']}#{query}",
            expiresAt=iso(signed.expires_at),
        )
    )


def resolve_route(emulator: Emulator) -> Route:
    """`POST /api/mobile/models/{exportId}`: outside the operation table, as it takes no API key."""

    async def resolve(request: Request) -> Response:
        try:
            ident = request.path_params["exportId"]
            body = validate(ResolveBody, await read_json(request, 4096), "request body")
            assert isinstance(body, ResolveBody)
            with emulator.lock:
                w = emulator.platform.world
                if not HEX_ID.match(ident):
                    raise ValidationError("Invalid export ID", {"exportId": ident[:64]})
                w.signer.verify(quote(_link_path(ident)), str(body.expires), body.signature, w.now())
                exports = [e for table in w.exports.by_account.values() for e in table.values()]
                export: Export | None = find_public(exports, ident)
                if export is None or export.blob_id is None:
                    raise NotFound("Export not found")
                model = w.models(export.account_id).get(export.model_id)
                remaining = max(body.expires - w.now(), 1.0)
                artifact = signed_urls.path(BlobRef("export", export.id, export.file_name))
                download = w.signer.sign(artifact, w.now(), remaining)
                return ok(
                    MobileModel(
                        version=1,
                        exportId=ident,
                        name=export.model_name,
                        task=(model.task if model is not None else "detect"),  # type: ignore[typeddict-item]
                        format=LIVE_FORMAT[export.format],  # type: ignore[typeddict-item]
                        filename=export.file_name,
                        size=float(export.size),
                        downloadUrl=download.absolute(emulator.public_url(request)),
                        expiresAt=iso(body.expires),
                    )
                )
        except Forbidden as err:
            return error_response(Forbidden(f"Invalid or expired import link: {err.message}"))
        except ApiError as err:
            return error_response(err)
        except Exception:
            return error_response(InternalError("Internal server error"))

    return Route("/api/mobile/models/{exportId}", resolve, methods=["POST"])
