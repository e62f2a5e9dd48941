"""Storage integrations: connect, list, switch AI processing, disconnect, discover, browse.

The buckets are the emulated cloud's (`ulmock.domain.cloud`): folders a scenario names
or objects put through `PUT /_ulmock/buckets/...`.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.ids import HEX_ID, find_public, public_id
from ulmock.api.platform.routes import CREATE, WRITE, PlatformRoutes, ok
from ulmock.domain.clock import iso
from ulmock.domain.connections import StorageIntegration
from ulmock.domain.errors import NotFound, ValidationError

routes = PlatformRoutes("Storage Integrations")
Provider = Literal["gcs", "s3", "azure"]


class IntegrationView(TypedDict):
    id: str
    provider: Provider
    credentialIdentity: str
    targets: list[str]
    processing: bool
    createdAt: str


class IntegrationList(TypedDict):
    integrations: list[IntegrationView]


class Disconnected(TypedDict):
    success: Literal[True]


class Discovered(TypedDict):
    targets: list[str]


class ObjectEntry(TypedDict):
    kind: Literal["folder", "file"]
    name: str
    key: str
    size: NotRequired[float]
    updatedAt: NotRequired[str]


class ObjectPage(TypedDict):
    entries: list[ObjectEntry]
    cursor: NotRequired[str]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Credentials(Body):
    provider: Provider
    credentials: dict[str, Any] = Field(
        description="gcs {client_email, private_key, project_id}; "
        "s3 {access_key_id, secret_access_key, region}; azure {connection_string}"
    )


class NewIntegration(Credentials):
    targets: list[str] = Field(min_length=1, max_length=50, description="Buckets or containers to connect")


class ProcessingChange(Body):
    processing: bool


class ObjectsQuery(Body):
    target: str = Field(min_length=1, max_length=222, description="Bucket or container name")
    prefix: str = Field("", max_length=1024, description="Folder prefix")
    cursor: str | None = Field(None, max_length=4096, description="Provider pagination cursor")


def view(integration: StorageIntegration) -> IntegrationView:
    return IntegrationView(
        id=public_id(integration.id),
        provider=integration.provider,
        credentialIdentity=integration.credential_identity,
        targets=list(integration.targets),
        processing=integration.processing,
        createdAt=iso(integration.created_at),
    )


def integration_at(call: Call) -> StorageIntegration:
    ident = call.params["id"]
    if not HEX_ID.match(ident):
        raise ValidationError("Invalid integration ID", {"id": ident[:64]})
    found = find_public(call.platform.cloud.integrations(call.account), ident)
    if found is None:
        raise NotFound("Integration not found")
    return found


@routes.get("/api/integrations/buckets", response=IntegrationList, errors=(401, 403, 429))
def list_integrations(call: Call) -> Response:
    """Cloud storage integrations of the API key's workspace, newest first."""
    return ok(IntegrationList(integrations=[view(i) for i in call.platform.cloud.integrations(call.account)]))


@routes.post("/api/integrations/buckets", body=NewIntegration, response=IntegrationView, status=201, errors=CREATE)
def create_integration(call: Call) -> Response:
    """Connect cloud storage: credentials checked for shape, every target readable with them."""
    b: NewIntegration = call.body
    return ok(view(call.platform.cloud.connect(call.account, b.provider, b.credentials, b.targets)), 201)


@routes.post("/api/integrations/buckets/discover", body=Credentials, response=Discovered, errors=(400, 401, 403, 429))
def discover_integration_targets(call: Call) -> Response:
    """Buckets or containers the credentials can read."""
    b: Credentials = call.body
    return ok(Discovered(targets=call.platform.cloud.discover(call.account, b.provider, b.credentials)))


@routes.patch("/api/integrations/buckets/{id}", body=ProcessingChange, response=IntegrationView, errors=WRITE)
def update_integration(call: Call) -> Response:
    """Turn AI features on this storage's images on or off."""
    integration = integration_at(call)
    integration.processing = call.body.processing
    return ok(view(integration))


@routes.delete("/api/integrations/buckets/{id}", response=Disconnected, errors=WRITE)
def delete_integration(call: Call) -> Response:
    """Disconnect cloud storage: the saved access goes, the provider's data stays."""
    call.platform.cloud.disconnect(call.account, integration_at(call))
    return ok(Disconnected(success=True))


@routes.get("/api/integrations/buckets/{id}/objects", query=ObjectsQuery, response=ObjectPage, errors=WRITE)
def list_integration_objects(call: Call) -> Response:
    """Folders and objects one level beneath a prefix of a connected bucket."""
    q: ObjectsQuery = call.query
    cloud = call.platform.cloud
    bucket = cloud.target(call.account, integration_at(call), q.target)
    entries, cursor = cloud.list_objects(bucket, q.prefix, q.cursor)
    out: list[ObjectEntry] = []
    for e in entries:
        item = ObjectEntry(kind="folder" if e.kind == "folder" else "file", name=e.name, key=e.key)
        if e.size is not None:
            item["size"] = e.size
        if e.updated_at is not None:
            item["updatedAt"] = iso(e.updated_at)
        out.append(item)
    page = ObjectPage(entries=out)
    if cursor is not None:
        page["cursor"] = cursor
    return ok(page)


class BucketReference(Body):
    """A connected source to ingest from: a bucket of a storage integration, under a prefix."""

    provider: Literal["cloud", "local"]
    integrationId: str | None = Field(None, max_length=128)
    target: str | None = Field(None, min_length=1, max_length=222)
    prefix: str = Field("", max_length=1024)
    keyId: str | None = Field(None, max_length=128)
    root: str | None = Field(None, max_length=222)


def upload_from_bucket(call: Call, dataset_id: str, ref: BucketReference) -> str:
    """The bucket's objects under the prefix, as a completed upload for the dataset's ingest; its id."""
    if ref.provider == "local":
        raise ValidationError("On-premise sources are not emulated: connect a bucket", {"reference": "local"})
    if ref.integrationId is None or ref.target is None:
        raise ValidationError("A cloud reference needs integrationId and target", {"reference": "integrationId"})
    found = find_public(call.platform.cloud.integrations(call.account), ref.integrationId)
    if found is None:
        raise NotFound("Integration not found")
    cloud = call.platform.cloud
    data = cloud.archive(cloud.target(call.account, found, ref.target), ref.prefix)
    uploads = call.platform.uploads
    session, _ = uploads.open(call.account, "datasets", dataset_id, f"{ref.target}.zip", "application/zip", len(data))
    uploads.receive(session.id, data)
    return session.id
