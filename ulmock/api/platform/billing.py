"""Billing: plan and usage, and the ledger of purchases and training charges."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.inputs import Query
from ulmock.api.operations import Call
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.money import cents
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.api.platform.vocabulary import Plan
from ulmock.domain.catalogue import GPUS
from ulmock.domain.clock import iso, parse_iso
from ulmock.domain.errors import ValidationError

routes = PlatformRoutes("Billing")
PLAN_NAMES = {"free": "Free", "pro": "Pro", "enterprise": "Enterprise"}


class PlanStatus(TypedDict):
    planId: Plan
    name: str
    status: Literal["active", "past_due"]
    cancelAtPeriodEnd: bool


class UsageMetric(TypedDict):
    metricId: Literal["storage_bytes"]
    kind: Literal["GAUGE"]
    period: Literal["NONE"]
    limit: float
    used: float
    remaining: float
    overageAllowed: bool


class TrainingCredit(TypedDict):
    monthlyGrant: float
    balanceAvailable: float


class Features(TypedDict):
    privateProjects: bool
    teams: bool
    enterpriseLicense: bool


class UsageSummary(TypedDict):
    plan: PlanStatus
    metrics: list[UsageMetric]
    trainingCredit: TrainingCredit
    features: Features
    creditsCents: float


class TransactionModel(TypedDict):
    name: str
    slug: str
    projectSlug: str
    username: str
    gpuType: NotRequired[str]


class Transaction(TypedDict):
    id: str
    type: Literal["purchase", "subscription", "training"]
    amountCents: float
    balanceAfter: float
    modelId: NotRequired[str]
    runId: NotRequired[str]
    gpuType: NotRequired[str]
    createdAt: str
    model: NotRequired[TransactionModel | None]


class TransactionList(TypedDict):
    transactions: list[Transaction]


class TransactionQuery(Query):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    from_: str | None = Field(None, alias="from", description="Earliest transaction timestamp")
    to: str | None = Field(None, description="Latest transaction timestamp")


@routes.get("/api/billing/usage-summary", response=UsageSummary, errors=(401, 403, 429))
def usage_summary(call: Call) -> Response:
    """Plan status, storage use, training credit and features."""
    p, account = call.platform, call.account
    usage = p.storage.usage(account)
    available = p.billing.balance(account).available
    return ok(
        UsageSummary(
            plan=PlanStatus(
                planId=account.plan,  # type: ignore[typeddict-item]
                name=PLAN_NAMES[account.plan],
                status="active",
                cancelAtPeriodEnd=False,
            ),
            metrics=[
                UsageMetric(
                    metricId="storage_bytes",
                    kind="GAUGE",
                    period="NONE",
                    limit=usage.limit,
                    used=usage.used,
                    remaining=max(0, usage.limit - usage.used),
                    overageAllowed=False,
                )
            ],
            trainingCredit=TrainingCredit(monthlyGrant=0, balanceAvailable=cents(available)),
            features=Features(
                privateProjects=account.plan != "free",
                teams=account.plan != "free",
                enterpriseLicense=account.plan == "enterprise",
            ),
            creditsCents=cents(available),
        )
    )


def _time(value: str | None, field: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise ValidationError(f"Invalid date range: {field} is not an ISO date", {field: value[:40]}) from None


@routes.get("/api/billing/transactions", query=TransactionQuery, response=TransactionList, errors=(400, 401, 403, 429))
def transactions(call: Call) -> Response:
    """Credit purchases, plan payments and training charges, newest first."""
    p, account = call.platform, call.account
    start, end = _time(call.query.from_, "from"), _time(call.query.to, "to")
    if start is not None and end is not None and start > end:
        raise ValidationError("Invalid date range: from is after to", {"from": call.query.from_})
    models = p.world.models(account.id)
    projects = p.world.projects(account.id)
    out: list[Transaction] = []
    for entry in p.billing.ledger(account):
        if (start is not None and entry.at < start) or (end is not None and entry.at > end):
            continue
        tx = Transaction(
            id=public_id(entry.id),
            type=entry.kind,
            amountCents=cents(entry.amount),
            balanceAfter=cents(entry.balance_after),
            createdAt=iso(entry.at),
        )
        if entry.model_id is not None:
            tx["modelId"] = public_id(entry.model_id)
            model = models.get(entry.model_id)
            project = projects.get(model.project_id) if model is not None else None
            tx["model"] = (
                None
                if model is None or project is None
                else TransactionModel(
                    name=model.name, slug=model.slug, projectSlug=project.slug, username=account.username
                )
            )
        if entry.training_id is not None:
            tx["runId"] = public_id(entry.training_id)
        if entry.gpu_type is not None and entry.gpu_type in GPUS:
            tx["gpuType"] = entry.gpu_type
        out.append(tx)
    return ok(TransactionList(transactions=out))
