"""Account: summary, API keys, storage, public profiles."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Query
from ulmock.api.operations import Call
from ulmock.api.platform.access import check_owner
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.money import cents
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Plan, Region
from ulmock.domain.clock import iso
from ulmock.domain.errors import NotFound
from ulmock.domain.sizes import images_bytes

routes = PlatformRoutes("Account")


class Counts(TypedDict):
    projects: int
    datasets: int
    models: int


class AccountSummary(TypedDict):
    username: str
    name: str
    accountType: Literal["personal", "team"]
    plan: Plan
    creditsCents: int
    counts: Counts
    teams: list[dict[str, str]]  # browser sessions only: API keys see none


class ApiKeyItem(TypedDict):
    keyId: str
    name: str
    keyPrefix: str
    createdAt: str


class ApiKeyList(TypedDict):
    keys: list[ApiKeyItem]


class Gauge(TypedDict):
    current: float
    limit: float
    percent: float


class StorageUsage(TypedDict):
    models: NotRequired[Gauge]  # the plans limit models and bytes; projects and datasets are unlimited here
    storage: Gauge


class BytesCount(TypedDict):
    bytes: float
    count: float


class ByCategory(TypedDict):
    datasets: BytesCount
    models: BytesCount
    exports: BytesCount


class TopItem(TypedDict):
    _id: str
    name: str
    slug: NotRequired[str]
    sizeBytes: float
    type: Literal["project", "dataset", "model", "export"]
    parentName: NotRequired[str]
    parentSlug: NotRequired[str]


class Breakdown(TypedDict):
    byCategory: ByCategory
    topItems: list[TopItem]


class StorageInfo(TypedDict):
    tier: Plan
    usage: StorageUsage
    updatedAt: str | None
    breakdown: Breakdown
    region: Region
    username: str


class PublicUser(TypedDict):
    username: str
    fullName: NotRequired[str]
    accountType: Literal["personal", "team"]
    followerCount: int
    isFollowed: bool


class PublicProfile(TypedDict):
    user: PublicUser


class StorageQuery(Query):
    details: Literal["true", "false"] = Field("false", description="Include the ten largest storage consumers")


class ProfileQuery(Query):
    username: str = Field(min_length=1, max_length=64)


def _gauge(current: float, limit: float) -> Gauge:
    return Gauge(current=current, limit=limit, percent=round(100.0 * current / limit, 2) if limit else 0.0)


@routes.get("/api/account/summary", response=AccountSummary, errors=(401, 429))
def summary(call: Call) -> Response:
    """Your plan, credit balance and resource counts."""
    p, account = call.platform, call.account
    w = p.world
    balance = p.billing.balance(account).available
    return ok(
        AccountSummary(
            username=account.username,
            name=account.username,
            accountType="personal",
            plan=account.plan,  # type: ignore[typeddict-item]
            creditsCents=cents(balance),
            counts=Counts(
                projects=len(w.projects(account.id)),
                datasets=len(w.datasets(account.id)),
                models=len(w.models(account.id)),
            ),
            teams=[],
        )
    )


@routes.get("/api/api-keys", response=ApiKeyList, errors=(401, 403, 429))
def api_keys(call: Call) -> Response:
    """Active API keys of the key's workspace (metadata only, never the secret)."""
    keys = call.platform.world.api_keys(call.account.id).values()
    return ok(
        ApiKeyList(
            keys=[
                ApiKeyItem(keyId=public_id(k.id), name=k.name, keyPrefix=k.secret[:7], createdAt=iso(k.created_at))
                for k in keys
            ]
        )
    )


@routes.get("/api/storage", query=StorageQuery, response=StorageInfo, errors=(400, 401, 403, 429))
def storage(call: Call) -> Response:
    """Storage by category and, with `details=true`, the ten largest items."""
    p, account = call.platform, call.account
    w = p.world
    usage = p.storage.usage(account)
    plan = p.accounts.plan(account)
    models = [m for m in w.models(account.id).values()]
    datasets = list(w.datasets(account.id).values())
    exports = [e for e in w.exports(account.id).values() if e.blob_id]
    top: list[TopItem] = []
    if call.query.details == "true":
        projects = {pr.id: pr for pr in w.projects(account.id).values()}
        for m in models:
            if m.file is not None:
                item = TopItem(_id=public_id(m.id), name=m.name, slug=m.slug, sizeBytes=m.file.size, type="model")
                if m.project_id in projects:
                    item["parentName"], item["parentSlug"] = projects[m.project_id].name, projects[m.project_id].slug
                top.append(item)
        for d in datasets:
            size = images_bytes(w.blobs, d.images)
            top.append(TopItem(_id=public_id(d.id), name=d.name, slug=d.slug, sizeBytes=size, type="dataset"))
        top = sorted(top, key=lambda t: -t["sizeBytes"])[:10]
    return ok(
        StorageInfo(
            tier=account.plan,  # type: ignore[typeddict-item]
            usage=StorageUsage(
                models=_gauge(len(models), plan.models),
                storage=_gauge(usage.used, usage.limit),
            ),
            updatedAt=iso(w.now()),
            breakdown=Breakdown(
                byCategory=ByCategory(
                    datasets=BytesCount(bytes=usage.datasets, count=len(datasets)),
                    models=BytesCount(bytes=usage.models, count=sum(1 for m in models if m.file)),
                    exports=BytesCount(bytes=usage.exports, count=len(exports)),
                ),
                topItems=top,
            ),
            region=account.region,
            username=account.username,
        )
    )


@routes.get("/api/users", query=ProfileQuery, response=PublicProfile)
def profile(call: Call) -> Response:
    """A public user profile."""
    username = check_owner(call.query.username)
    user = call.platform.accounts.by_username(username)
    if user is None:
        raise NotFound("User not found")
    follows = call.platform.follows
    return ok(
        PublicProfile(
            user=PublicUser(
                username=user.username,
                fullName=user.username,
                accountType="personal",
                followerCount=follows.follower_count(user),
                isFollowed=follows.follows(call.account, user),
            )
        )
    )
