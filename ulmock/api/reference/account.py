"""Account-wide endpoints: storage, GDPR, API keys, and the SDK's account summary."""

from __future__ import annotations

from typing import Literal, cast

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import CreateApiKey, GdprRequest, PageQuery
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import BalanceView, DeletedView, balance_view, shape
from ulmock.domain.catalogue import SCOPES, PlanName
from ulmock.domain.clock import iso
from ulmock.domain.entities import Account, ApiKey
from ulmock.domain.storage import StorageUsage


@shape
class StorageBreakdownView(TypedDict):
    models: int
    datasets: int
    trash: int
    exports: int


@shape
class StorageView(TypedDict):
    used: int
    limit: int
    percentage: float
    breakdown: StorageBreakdownView


def storage_view(u: StorageUsage) -> StorageView:
    return {
        "used": u.used,
        "limit": u.limit,
        "percentage": u.percentage,
        "breakdown": {"models": u.models, "datasets": u.datasets, "trash": u.trash, "exports": u.exports},
    }


@shape
class GdprExportView(TypedDict):
    action: Literal["export"]
    downloadUrl: str
    expiresAt: str


@shape
class GdprDeleteView(TypedDict):
    action: Literal["delete"]
    deleted: bool


@shape
class ApiKeyView(TypedDict):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    createdAt: str
    lastUsedAt: str | None


@shape
class CreatedApiKeyView(ApiKeyView):
    key: str


def api_key_view(k: ApiKey) -> ApiKeyView:
    return {
        "id": k.id,
        "name": k.name,
        "prefix": k.secret[:11],
        "scopes": list(k.scopes) if k.scopes is not None else list(SCOPES),
        "createdAt": iso(k.created_at),
        "lastUsedAt": iso(k.last_used_at) if k.last_used_at is not None else None,
    }


def created_api_key_view(k: ApiKey) -> CreatedApiKeyView:
    """The one answer that shows the whole secret."""
    return {**api_key_view(k), "key": k.secret}


@shape
class AccountSummaryView(TypedDict):
    id: str
    username: str
    email: str
    plan: PlanName
    balance: BalanceView
    createdAt: str


def account_summary_view(a: Account, balance: BalanceView) -> AccountSummaryView:
    return {
        "id": a.id,
        "username": a.username,
        "email": a.email,
        "plan": cast(PlanName, a.plan),
        "balance": balance,
        "createdAt": iso(a.created_at),
    }


routes = ReferenceRoutes("account", scope="account")


@routes.get("/api/storage", response=StorageView)
def get_storage(call: Call) -> StorageView:
    """Bytes stored (model files, dataset images, trash) against the plan's limit."""
    return storage_view(call.platform.storage.usage(call.account))


@routes.post("/api/gdpr", body=GdprRequest, response=GdprExportView | GdprDeleteView)
def gdpr(call: Call) -> GdprExportView | GdprDeleteView:
    """Export all account data, or delete the account irreversibly."""
    p = call.platform
    if call.body.action == "export":
        download = p.gdpr.export(call.account)
        url = signed_urls.url(p.world.signer, download, call.base_url)
        return {"action": "export", "downloadUrl": url, "expiresAt": iso(download.expires_at)}
    p.gdpr.delete(call.account)
    return {"action": "delete", "deleted": True}


@routes.get("/api/api-keys", query=PageQuery, response=ApiKeyView, paginated=True)
def list_api_keys(call: Call) -> Response:
    """Your API keys; secrets are never shown again, only a prefix."""
    q = call.query
    page = call.platform.accounts.list_keys(call.account, q.page, q.limit)
    return envelope.paged(page, [api_key_view(k) for k in page.items])


@routes.create("/api/api-keys", "keyId", "delete_api_key", body=CreateApiKey, response=CreatedApiKeyView)
def create_api_key(call: Call) -> CreatedApiKeyView:
    """Create a key, optionally limited to scopes; the full key is shown only here."""
    key = call.platform.accounts.create_key(call.account, call.body.name, call.body.scopes)
    return created_api_key_view(key)


@routes.delete("/api/api-keys/{keyId}", response=DeletedView)
def delete_api_key(call: Call) -> DeletedView:
    """Revoke a key at once."""
    key = call.platform.accounts.revoke_key(call.account, call.params["keyId"])
    return {"id": key.id, "deleted": True}


@routes.get("/api/account/summary", scope=None, response=AccountSummaryView)
def account_summary(call: Call) -> AccountSummaryView:
    """Who this key belongs to (what `yolo login` checks)."""
    a = call.account
    return account_summary_view(a, balance_view(call.platform.billing.balance(a)))
