"""Account-wide endpoints: storage, GDPR, API keys, and the SDK's account summary."""

from __future__ import annotations

from starlette.responses import Response

from ulmock.api import downloads
from ulmock.api.reference import envelope
from ulmock.domain.clock import iso
from ulmock.api.routing import Call, Routes
from ulmock.api.schemas import CreateApiKey, GdprRequest, PageQuery
from ulmock.api.reference.views import (
    balance_view,
    AccountSummaryView,
    ApiKeyView,
    CreatedApiKeyView,
    DeletedView,
    GdprDeleteView,
    GdprExportView,
    StorageView,
    account_summary_view,
    api_key_view,
    storage_view,
)

routes = Routes("account")
SCOPE = "account"


@routes.get("/api/storage", scope=SCOPE, response=StorageView)
def get_storage(call: Call) -> Response:
    """Bytes stored (model files, dataset images, trash) against the plan's limit."""
    return envelope.ok(storage_view(call.platform.storage.usage(call.account)))


@routes.post("/api/gdpr", scope=SCOPE, body=GdprRequest, response=GdprExportView | GdprDeleteView)
def gdpr(call: Call) -> Response:
    """Export all account data, or delete the account irreversibly."""
    p = call.platform
    if call.body.action == "export":
        download = p.gdpr.export(call.account)
        return envelope.ok({"action": "export", "downloadUrl": downloads.url(p.world.signer, download, call.base_url),
                            "expiresAt": iso(download.expires_at)})  # fmt: skip
    p.gdpr.delete(call.account)
    return envelope.ok({"action": "delete", "deleted": True})


@routes.get("/api/api-keys", scope=SCOPE, query=PageQuery, response=ApiKeyView, paginated=True)
def list_api_keys(call: Call) -> Response:
    """Your API keys; secrets are never shown again, only a prefix."""
    q = call.query
    page = call.platform.accounts.list_keys(call.account, q.page, q.limit)
    return envelope.paged(page, [api_key_view(k) for k in page.items])


@routes.post(
    "/api/api-keys",
    scope=SCOPE,
    body=CreateApiKey,
    response=CreatedApiKeyView,
    status=201,
    links={"DeleteApiKey": {"operationId": "delete_api_key", "parameters": {"keyId": "$response.body#/data/id"}}},
)
def create_api_key(call: Call) -> Response:
    """Create a key, optionally limited to scopes; the full key is shown only here."""
    key = call.platform.accounts.create_key(call.account, call.body.name, call.body.scopes)
    return envelope.ok(api_key_view(key, reveal=True), 201)


@routes.delete("/api/api-keys/{keyId}", scope=SCOPE, response=DeletedView)
def delete_api_key(call: Call) -> Response:
    """Revoke a key at once."""
    key = call.platform.accounts.revoke_key(call.account, call.params["keyId"])
    return envelope.ok({"id": key.id, "deleted": True})


@routes.get("/api/account/summary", scope=None, response=AccountSummaryView)
def account_summary(call: Call) -> Response:
    """Who this key belongs to (what `yolo login` checks)."""
    a = call.account
    return envelope.ok(account_summary_view(a, balance_view(call.platform.billing.balance(a))))
