"""The control API, `/_ulmock/...`: what a test or a demo operator does to the emulator.

No Platform key; when the emulator has an admin token, `Authorization: Bearer <token>`.
Answers use the same envelopes as `/api`.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ulmock.api.faults import ActiveFault, FaultSpec
from ulmock.api.parsing import read_json, validate
from ulmock.api.pipeline import ALL_METHODS
from ulmock.api.reference import envelope
from ulmock.api.reference.views import balance_view
from ulmock.api.refusals import no_such, not_allowed
from ulmock.api.route_index import compiled_route
from ulmock.domain.catalogue import PlanName, usd_to_micro
from ulmock.domain.clock import iso, parse_iso
from ulmock.domain.cloud import check_key
from ulmock.domain.entities import RateLimits
from ulmock.domain.errors import ApiError, Unauthorized, ValidationError
from ulmock.scenarios import ScenarioError, load_scenario, parse_scenario_text, play
from ulmock.snapshots import SnapshotError

if TYPE_CHECKING:
    from ulmock.emulator import Emulator

SNAPSHOT_LIMIT = 1024 * 1024 * 1024


def bearer_matches(authorization: str, token: str) -> bool:
    """`Authorization: Bearer <token>` with exactly this token (a bare token is refused);
    the control API's door and the dashboard's."""
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


class ControlBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class RateLimitsIn(ControlBody):
    perMinute: int = Field(ge=1)
    perDay: int = Field(ge=1)


class NewAccount(ControlBody):
    username: str = Field(min_length=1, max_length=64)
    plan: PlanName = "free"
    balance: float | None = Field(None, ge=0, description="USD of cash balance")
    credit: float | None = Field(None, ge=0, description="USD of credit (default: the $5 sign-up credit)")
    rateLimits: RateLimitsIn | None = None
    apiKey: str | None = None


class ClockChange(ControlBody):
    mode: Literal["manual", "realtime"] | None = None
    speed: float | None = Field(None, gt=0, le=1_000_000)
    now: str | None = Field(None, description="jump forward to this ISO time")


class ClockAdvance(ControlBody):
    seconds: float = Field(ge=0, le=10 * 365 * 86_400)


class ScenarioRequest(ControlBody):
    name: str | None = Field(None, max_length=500)
    yaml: str | None = Field(None, max_length=10 * 1024 * 1024)
    api: Literal["reference", "platform"] | None = Field(
        None, description="the face to serve (default: the scenario's)"
    )


class RequestsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    method: str | None = None
    path: str | None = None
    status: int | None = None
    account: str | None = None
    limit: int | None = Field(None, ge=1, le=10_000)


Handler = Callable[[Request], Awaitable[Any]]


class ControlApi:
    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def routes(self) -> list[Route]:
        table: list[tuple[str, str, Handler]] = [
            ("/_ulmock/health", "GET", self.health),
            ("/_ulmock/reset", "POST", self.reset),
            ("/_ulmock/accounts", "GET", self.list_accounts),
            ("/_ulmock/accounts", "POST", self.create_account),
            ("/_ulmock/clock", "GET", self.get_clock),
            ("/_ulmock/clock", "POST", self.set_clock),
            ("/_ulmock/clock/advance", "POST", self.advance_clock),
            ("/_ulmock/requests", "GET", self.list_requests),
            ("/_ulmock/requests", "DELETE", self.clear_requests),
            ("/_ulmock/snapshot", "GET", self.get_snapshot),
            ("/_ulmock/snapshot", "PUT", self.put_snapshot),
            ("/_ulmock/checkouts/{sessionId}/complete", "POST", self.complete_checkout),
            ("/_ulmock/webhooks", "GET", self.list_webhooks),
            ("/_ulmock/webhooks", "POST", self.create_webhook),
            ("/_ulmock/webhooks/deliveries", "GET", self.list_deliveries),
            ("/_ulmock/webhooks/{webhookId}", "DELETE", self.delete_webhook),
            ("/_ulmock/faults", "GET", self.list_faults),
            ("/_ulmock/faults", "POST", self.add_fault),
            ("/_ulmock/faults", "DELETE", self.clear_faults),
            ("/_ulmock/scenario", "POST", self.load_scenario),
            ("/_ulmock/buckets/{provider}/{name}", "PUT", self.put_bucket),
        ]
        by_path: dict[str, dict[str, Handler]] = {}
        for path, method, handler in table:
            by_path.setdefault(path, {})[method] = handler
        routes = [
            compiled_route(path, self._endpoint(methods), methods=ALL_METHODS) for path, methods in by_path.items()
        ]
        routes.append(compiled_route("/_ulmock/{rest:path}", self._unknown, methods=ALL_METHODS))
        return routes

    def _endpoint(self, methods: dict[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            handler = methods.get(request.method)
            try:
                if handler is None:
                    raise not_allowed(request.method, ", ".join(sorted(methods)))
                self._check_admin(request)
                result = await handler(request)
            except ApiError as err:
                return envelope.error(err)
            return result if isinstance(result, Response) else envelope.ok(result)

        return endpoint

    async def _unknown(self, request: Request) -> Response:
        return envelope.error(no_such(request.method, request.url.path, "control endpoint"))

    def _check_admin(self, request: Request) -> None:
        token = self.emulator.admin_token
        if token is None or request.url.path == "/_ulmock/health":
            return
        if not bearer_matches(request.headers.get("authorization", ""), token):
            raise Unauthorized("The control API needs the admin token: 'Authorization: Bearer <token>'")

    async def _body(self, request: Request, model: type[BaseModel]) -> Any:
        return validate(model, await read_json(request, 1024 * 1024), "request body")

    # -- handlers -----------------------------------------------------------------
    async def health(self, request: Request) -> dict[str, Any]:
        e = self.emulator
        return {"status": "ok", "scenario": e.name, "now": iso(e.clock.now())}

    async def reset(self, request: Request) -> dict[str, Any]:
        self.emulator.reset()
        return {"reset": True, "scenario": self.emulator.name, "now": iso(self.emulator.clock.now())}

    async def list_accounts(self, request: Request) -> list[dict[str, Any]]:
        with self.emulator.lock:
            p = self.emulator.platform
            return [account_view(p, a) for a in p.world.accounts.values() if not a.deleted]

    async def create_account(self, request: Request) -> Response:
        body: NewAccount = await self._body(request, NewAccount)
        limits = (
            RateLimits(per_minute=body.rateLimits.perMinute, per_day=body.rateLimits.perDay)
            if body.rateLimits
            else None
        )
        with self.emulator.lock:
            p = self.emulator.platform
            kwargs: dict[str, Any] = {"cash_balance": usd_to_micro(body.balance or 0)}
            if body.credit is not None:
                kwargs["credit_balance"] = usd_to_micro(body.credit)
            account, key = p.accounts.create(
                body.username, body.plan, rate_limits=limits, api_key=body.apiKey, **kwargs
            )
            view = account_view(p, account)
        view["apiKey"] = key.secret
        return envelope.ok(view, 201)

    async def get_clock(self, request: Request) -> dict[str, Any]:
        return self.emulator.clock.describe()

    async def set_clock(self, request: Request) -> dict[str, Any]:
        body: ClockChange = await self._body(request, ClockChange)
        e = self.emulator
        with e.lock:
            e.clock.configure(mode=body.mode, speed=body.speed)
            if body.now is not None:
                try:
                    target = parse_iso(body.now)
                except ValueError:
                    raise ValidationError("now is not an ISO 8601 time", {"now": body.now}) from None
                if target < e.clock.now():
                    raise ValidationError("The clock never goes backwards", {"now": body.now})
        if body.now is not None:
            # Like advance: fire what falls due and send its webhooks, off the event loop.
            await run_in_threadpool(e.advance, max(0.0, target - e.clock.now()))
        return e.clock.describe()

    async def advance_clock(self, request: Request) -> dict[str, Any]:
        body: ClockAdvance = await self._body(request, ClockAdvance)
        # advance() waits for due webhooks to be sent: off the event loop, or every request waits too
        await run_in_threadpool(self.emulator.advance, body.seconds)
        return self.emulator.clock.describe()

    async def list_requests(self, request: Request) -> Response:
        q: RequestsQuery = validate(RequestsQuery, dict(request.query_params), "query parameter")  # type: ignore[assignment]
        entries = self.emulator.journal.query(q.method, q.path, q.status, q.account, q.limit)
        return envelope.json_response(
            {"success": True, "data": [e.as_dict() for e in entries], "meta": {"total": len(entries)}}
        )

    async def clear_requests(self, request: Request) -> dict[str, Any]:
        return {"cleared": self.emulator.journal.clear()}

    async def get_snapshot(self, request: Request) -> dict[str, Any]:
        # Rendering a big world's blobs takes a while: off the event loop.
        return await run_in_threadpool(self.emulator.snapshot)

    async def put_snapshot(self, request: Request) -> dict[str, Any]:
        """Takes what GET answered, envelope and all, or its `data`; anything else changes nothing."""
        data = await read_json(request, SNAPSHOT_LIMIT)
        try:
            await run_in_threadpool(self.emulator.restore, data)
        except SnapshotError as exc:
            raise ValidationError(f"Not a snapshot this ulmock can restore: {exc}", {"body": str(exc)}) from None
        return {"restored": True, "now": iso(self.emulator.clock.now())}

    async def complete_checkout(self, request: Request) -> dict[str, Any]:
        with self.emulator.lock:
            payment = self.emulator.platform.billing.complete(request.path_params["sessionId"])
        return {"paymentId": payment.id, "amount": payment.amount, "type": payment.kind}

    async def list_faults(self, request: Request) -> list[dict[str, Any]]:
        return [fault_view(f) for f in self.emulator.faults.active()]

    async def add_fault(self, request: Request) -> Response:
        spec: FaultSpec = await self._body(request, FaultSpec)
        return envelope.ok(fault_view(self.emulator.faults.add(spec)), 201)

    async def clear_faults(self, request: Request) -> dict[str, Any]:
        return {"cleared": self.emulator.faults.clear()}

    async def load_scenario(self, request: Request) -> dict[str, Any]:
        """Body `{name}` (bundled or a path) or `{yaml}` (the file's text)."""
        body: ScenarioRequest = await self._body(request, ScenarioRequest)
        try:
            if body.yaml is not None:
                world = parse_scenario_text(body.yaml, body.name or "inline")
            elif body.name is not None:
                world = load_scenario(body.name)
            else:
                raise ValidationError("Give a scenario 'name' or its 'yaml'", {"name": "or yaml"})
            play(self.emulator, world, body.api)
        except ScenarioError as exc:
            raise ValidationError(
                f"Scenario error: {exc}", {"file": exc.file, "line": exc.line, "key": exc.key, "reason": exc.reason}
            ) from None
        e = self.emulator
        return {
            "scenario": e.name,
            "api": e.api,
            "now": iso(e.clock.now()),
            "accounts": [a["username"] for a in await self.list_accounts(request)],
        }

    async def put_bucket(self, request: Request) -> Response:
        """Create a bucket of an account's emulated cloud (if new) and put objects in it."""
        data = await read_json(request, SNAPSHOT_LIMIT)
        body: BucketObjects = validate(BucketObjects, data, "request body")  # type: ignore[assignment]
        objects: dict[str, bytes] = {}
        for key, text in body.objects.items():
            try:
                objects[key] = base64.b64decode(text, validate=True)
            except ValueError:
                raise ValidationError(f"Object '{key[:100]}' is not base64", {"objects": key[:100]}) from None
        provider, name = request.path_params["provider"], request.path_params["name"]
        for key in objects:
            check_key(key)
        with self.emulator.lock:
            p = self.emulator.platform
            account = self._account(body.account)
            existed = p.cloud.bucket(account, provider, name) is not None
            bucket = p.cloud.add_bucket(account, provider, name)
            p.cloud.put_objects(bucket, objects)
            count = sum(1 for _ in p.cloud.files(bucket))
        view = {"provider": provider, "name": name, "account": account.username, "objects": count}
        return envelope.ok(view, 200 if existed else 201)

    def _account(self, username: str | None) -> Any:
        return self.emulator.platform.accounts.named_or_default(username, "put the bucket in")

    async def list_webhooks(self, request: Request) -> list[dict[str, Any]]:
        with self.emulator.lock:
            p = self.emulator.platform
            return [webhook_view(p, e) for e in p.webhooks.endpoints()]

    async def create_webhook(self, request: Request) -> Response:
        body: NewWebhook = await self._body(request, NewWebhook)
        with self.emulator.lock:
            p = self.emulator.platform
            account = p.accounts.named_or_default(body.account, "attach the webhook to")
            endpoint = p.webhooks.register(account, body.url, body.events, body.secret)
            return envelope.ok(webhook_view(p, endpoint), 201)

    async def list_deliveries(self, request: Request) -> Response:
        deliveries = self.emulator.webhooks.list()
        return envelope.json_response({"success": True, "data": deliveries, "meta": {"total": len(deliveries)}})

    async def delete_webhook(self, request: Request) -> dict[str, Any]:
        with self.emulator.lock:
            endpoint = self.emulator.platform.webhooks.remove(request.path_params["webhookId"])
        return {"id": endpoint.id, "deleted": True}


class BucketObjects(ControlBody):
    account: str | None = Field(None, max_length=64, description="username; default: the first account")
    objects: dict[str, str] = Field(default_factory=dict, max_length=10_000, description="key -> base64 bytes")


class NewWebhook(ControlBody):
    url: str = Field(min_length=1, max_length=2000)
    events: list[str] | None = Field(None, max_length=20)
    secret: str | None = Field(None, max_length=200)
    account: str | None = Field(None, max_length=64, description="username; default: the first account")


def webhook_view(p: Any, e: Any) -> dict[str, Any]:
    account = p.world.accounts.get(e.account_id)
    return {
        "id": e.id,
        "url": e.url,
        "events": e.events,
        "secret": e.secret,
        "account": account.username if account else None,
        "createdAt": iso(e.created_at),
    }


def fault_view(fault: ActiveFault) -> dict[str, Any]:
    return {
        "id": fault.id,
        **fault.spec.model_dump(exclude_none=True),
        "remaining": fault.remaining,
        "hits": fault.hits,
    }


def account_view(p: Any, account: Any) -> dict[str, Any]:
    per_minute, per_day = p.accounts.limits(account)
    return {
        "id": account.id,
        "username": account.username,
        "plan": account.plan,
        "balance": balance_view(p.billing.balance(account)),
        "rateLimits": {"perMinute": per_minute, "perDay": per_day},
        "apiKeys": [
            {"id": k.id, "name": k.name, "key": k.secret, "scopes": k.scopes}
            for k in p.world.api_keys(account.id).values()
        ],
    }
