"""Upload: a signed URL to PUT a file to, then completion (dataset archives, model weights).

Between the two calls the client PUTs the bytes to `uploadUrl` with no key (the URL's
signature is the authority), as to a cloud bucket; `edge.py` serves that PUT.
"""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.inputs import Body, JsonInt
from ulmock.api.operations import Call
from ulmock.api.platform.access import by_public_id
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.routes import WRITE, PlatformRoutes, ok
from ulmock.domain.clock import iso
from ulmock.domain.entities import UploadSession
from ulmock.domain.errors import NotFound, ValidationError

routes = PlatformRoutes("Upload", category="upload")  # both steps count as uploads


class SignedUpload(TypedDict):
    sessionId: str
    uploadUrl: str
    expiresAt: str
    headers: NotRequired[dict[str, str]]


class UploadedFile(TypedDict):
    size: float
    contentType: NotRequired[str]


class UploadCompleted(TypedDict):
    success: Literal[True]
    file: UploadedFile


class SignedUrlRequest(Body):
    assetId: str = Field(min_length=1, max_length=64, description="id of the dataset or model the file is for")
    assetType: Literal["datasets", "models"]
    filename: str = Field(min_length=1, max_length=255)
    contentType: str = Field(min_length=1, max_length=200)
    totalBytes: JsonInt = Field(ge=1)


class CompleteRequest(Body):
    sessionId: str = Field(min_length=1, max_length=64)
    md5: str | None = Field(None, pattern=r"^[0-9a-fA-F]{32}$", description="MD5 of the bytes, hexadecimal")
    checksum: str | None = Field(None, max_length=200)


def session_of(call: Call, session_id: str) -> UploadSession:
    session = by_public_id(call, "upload", session_id)
    if session is None:
        raise NotFound("Upload session not found")
    return session


@routes.post("/api/upload/signed-url", body=SignedUrlRequest, response=SignedUpload, errors=WRITE)
def signed_url(call: Call) -> Response:
    """A URL to PUT one file to: a dataset archive (.zip, .tar, .tar.gz, .tgz, .ndjson) or model weights."""
    p, body = call.platform, call.body
    kind = "dataset" if body.assetType == "datasets" else "model"
    asset = by_public_id(call, kind, body.assetId)
    if asset is None:
        raise NotFound(f"{kind.capitalize()} not found")
    p.storage.require_room(call.account, body.totalBytes)
    session, grant = p.uploads.open(
        call.account, body.assetType, asset.id, body.filename, body.contentType, body.totalBytes
    )
    upload_url = signed_urls.url(p.world.signer, grant, call.base_url)
    return ok(
        SignedUpload(
            sessionId=public_id(session.id),
            uploadUrl=upload_url,
            expiresAt=iso(grant.expires_at),
            headers={"Content-Type": session.content_type},
        )
    )


@routes.post("/api/upload/complete", body=CompleteRequest, response=UploadCompleted, errors=WRITE)
def complete(call: Call) -> Response:
    """Confirm an upload: its size (and MD5, when given) must match; model weights become the model's file."""
    p, body = call.platform, call.body
    md5 = body.md5
    if md5 is None and body.checksum is not None:
        algo, _, digest = body.checksum.partition(":")
        if algo.lower() != "md5" or len(digest) != 32:
            raise ValidationError("checksum must be 'md5:<32 hex digits>'", {"checksum": body.checksum[:80]})
        md5 = digest
    session = p.uploads.complete(call.account, session_of(call, body.sessionId).id, md5)
    if session.asset_type == "models" and session.blob_id is not None:
        p.sdk_uploads.receive_upload(session.asset_id, session.filename, p.world.blobs.read(session.blob_id))
    return ok(
        UploadCompleted(success=True, file=UploadedFile(size=session.total_bytes, contentType=session.content_type))
    )
