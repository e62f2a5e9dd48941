"""Deployments: a model served in a region, moving on the clock.

creating -> deploying -> running; stop: stopping -> stopped; start from stopped goes
back through deploying. Logs and metrics record what really happened: lifecycle steps
here, and each prediction a running deployment serves (`record_request`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import PLAN_LIMITS, REGIONS
from ulmock.domain.entities import Account, Deployment, DeploymentLog, ServedRequest, TrashItem
from ulmock.domain.errors import Conflict, Forbidden, StateConflict, ValidationError
from ulmock.domain.ids import slugify
from ulmock.domain.records import fetch
from ulmock.domain.store import Page
from ulmock.domain.trash import Trash
from ulmock.domain.world import World

EVENT = "deployment.step"
MAX_INSTANCES = 100
CREATE_SECONDS = 10.0  # provisioning the endpoint
DEPLOY_SECONDS = 45.0  # pulling the image, loading the model, health checks
STOP_SECONDS = 15.0  # draining
LOG_KEEP = 1000
LATENCY_KEEP = 10_000
# Step after each transitional status, and how long it takes.
NEXT: dict[str, tuple[str, float]] = {
    "creating": ("deploying", CREATE_SECONDS),
    "deploying": ("running", DEPLOY_SECONDS),
    "stopping": ("stopped", STOP_SECONDS),
}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 3)


def traffic(d: Deployment, since: float, until: float, buckets: int) -> list[list[ServedRequest]]:
    """The requests `d` served in each of `buckets` equal spans from `since` to `until`."""
    span = (until - since) / buckets
    out: list[list[ServedRequest]] = [[] for _ in range(buckets)]
    for r in d.served:
        if since <= r.at < until:
            out[min(buckets - 1, int((r.at - since) / span))].append(r)
    return out


@dataclass(frozen=True)
class Metrics:
    """What a deployment served, as of now: its counters are on `deployment`."""

    deployment: Deployment
    error_rate: float
    p50: float | None  # latency percentiles in ms; None before the first request
    p95: float | None
    p99: float | None
    uptime_ms: int


class Deployments:
    def __init__(self, world: World, activity: Activity, trash: Trash):
        self.world = world
        self.activity = activity
        self.trash = trash
        world.clock.on(EVENT, self._step)

    # -- queries ---------------------------------------------------------------
    def count(self, account: Account) -> int:
        return len(self.world.deployments(account.id))

    def get(self, account: Account, deployment_id: str) -> Deployment:
        return fetch(self.world.deployments, account, deployment_id)

    def list(self, account: Account, page: int, limit: int, model_id: str | None = None) -> Page[Deployment]:
        return self.world.deployments(account.id).page(page, limit, model_id=model_id)

    def find_any(self, deployment_id: str) -> Deployment | None:
        return self.world.deployments.find(deployment_id)

    def logs(self, account: Account, deployment_id: str, severity: str | None, limit: int) -> Page[DeploymentLog]:
        """The newest `limit` lines of a severity, and how many such lines there are."""
        d = self.get(account, deployment_id)
        rows = [log for log in reversed(d.logs) if severity is None or log.severity == severity]
        return Page(rows[:limit], len(rows), 1, limit)

    def metrics(self, account: Account, deployment_id: str) -> Metrics:
        d = self.get(account, deployment_id)
        return Metrics(
            deployment=d,
            error_rate=round(d.errors / d.requests, 4) if d.requests else 0.0,
            p50=percentile(d.latencies, 0.50),
            p95=percentile(d.latencies, 0.95),
            p99=percentile(d.latencies, 0.99),
            uptime_ms=int((self.world.now() - d.running_since) * 1000) if d.running_since is not None else 0,
        )

    # -- actions -----------------------------------------------------------------
    def by_slug(self, account: Account, slug: str) -> Deployment | None:
        rows, total = self.world.deployments(account.id).newest_first(slug=slug)
        return next(rows, None) if total else None

    def create(
        self,
        account: Account,
        model_id: str,
        region: str,
        min_instances: int,
        max_instances: int,
        *,
        slug: str | None = None,
        name: str | None = None,
        cpu: int = 1,
        memory_gi: int = 2,
    ) -> Deployment:
        """Deploy a model; `slug` and `name` default to the deployment's id and the model's name."""
        w = self.world
        if slug is not None and self.by_slug(account, slug) is not None:
            raise Conflict(f"A deployment named '{slug}' already exists", {"deployment": slug})
        model = fetch(w.models, account, model_id)
        if region not in REGIONS:
            raise ValidationError(f"Unknown region '{region}'", {"region": f"one of {', '.join(REGIONS)}"})
        if not 1 <= max_instances <= MAX_INSTANCES:
            raise ValidationError(
                f"maxInstances must be between 1 and {MAX_INSTANCES}", {"maxInstances": f"1..{MAX_INSTANCES}"}
            )
        if not 0 <= min_instances <= max_instances:
            raise ValidationError(
                "minInstances must be between 0 and maxInstances", {"minInstances": f"0..{max_instances}"}
            )
        limit = PLAN_LIMITS[account.plan].deployments
        if self.count(account) >= limit:
            raise Forbidden(
                f"Your {account.plan} plan allows {limit} deployments", {"limit": limit, "plan": account.plan}
            )
        d = w.create(
            w.deployments,
            account.id,
            model_id=model.id,
            name=name or f"{model.name} ({region})",
            slug=slug or self._free_slug(account, slugify(f"{model.slug}-{region}")),
            region=region,
            min_instances=min_instances,
            max_instances=max_instances,
            cpu=cpu,
            memory_gi=memory_gi,
        )
        self._log(
            d,
            "info",
            f"Deployment created for model '{model.name}' in {region} (instances {min_instances}..{max_instances})",
        )
        self._enter(account, d, "creating")
        return d

    def start(self, account: Account, deployment_id: str) -> Deployment:
        d = self.get(account, deployment_id)
        if d.status in ("creating", "deploying", "running"):
            return d  # already on its way up
        if d.status == "stopping":
            raise StateConflict("The deployment is stopping; start it once it has stopped", {"status": d.status})
        self._log(d, "info", "Start requested")
        self._enter(account, d, "deploying")
        return d

    def stop(self, account: Account, deployment_id: str) -> Deployment:
        d = self.get(account, deployment_id)
        if d.status in ("stopping", "stopped"):
            return d
        self._cancel_steps(d)
        self._log(d, "info", "Stop requested")
        self._enter(account, d, "stopping")
        return d

    def delete(self, account: Account, deployment_id: str) -> TrashItem:
        d = self.get(account, deployment_id)
        self._cancel_steps(d)
        if d.status != "stopped":
            self._log(d, "info", "Deployment deleted: instances shut down")
        d.status, d.instances, d.running_since = "stopped", 0, None
        return self.trash.put(account, d)

    def remove(self, account: Account, deployment_id: str) -> Deployment:
        """Shut the deployment down and delete it for good (no trash)."""
        d = self.get(account, deployment_id)
        self._cancel_steps(d)
        self.world.deployments(account.id).remove(d.id)
        self.activity.record(account, "deployment.deleted", f"Deployment '{d.name}' was deleted", "deployment", d.id)
        return d

    def replace(self, account: Account, deployment_id: str, model_id: str) -> Deployment:
        """Roll out another model behind the same endpoint: a serving deployment redeploys."""
        d = self.get(account, deployment_id)
        model = fetch(self.world.models, account, model_id)
        if model.id == d.model_id:
            raise StateConflict("This model is already deployed here", {"modelId": model_id})
        if d.status == "stopping":
            raise StateConflict(
                "The deployment is stopping; replace its model once it has stopped", {"status": d.status}
            )
        table = self.world.deployments(account.id)
        old = d.model_id
        d.model_id = model.id
        table.reindex(d.id, "model_id", old)
        self._log(d, "info", f"Rolling out model '{model.name}'")
        if d.status in ("creating", "deploying", "running", "failed"):
            self._cancel_steps(d)
            self._enter(account, d, "deploying")
        return d

    def rename(self, account: Account, deployment_id: str, name: str, slug: str) -> Deployment:
        d = self.get(account, deployment_id)
        taken = self.by_slug(account, slug)
        if taken is not None and taken.id != d.id:
            raise Conflict(f"A deployment named '{slug}' already exists", {"deployment": slug})
        old = d.slug
        d.name, d.slug, d.updated_at = name, slug, self.world.now()
        self.world.deployments(account.id).reindex(d.id, "slug", old)
        return d

    def set_metadata(self, account: Account, deployment_id: str, metadata: dict[str, Any]) -> Deployment:
        d = self.get(account, deployment_id)
        d.metadata, d.updated_at = dict(metadata), self.world.now()
        return d

    def resize(self, account: Account, deployment_id: str, cpu: int | None, memory_gi: int | None) -> Deployment:
        d = self.get(account, deployment_id)
        d.cpu, d.memory_gi, d.updated_at = cpu or d.cpu, memory_gi or d.memory_gi, self.world.now()
        self._log(d, "info", f"Resized to {d.cpu} vCPU and {d.memory_gi} GiB")
        return d

    def record_request(self, deployment: Deployment, latency_ms: float, ok: bool, detail: str = "") -> None:
        """A prediction the deployment served (or failed to): feeds metrics and logs."""
        deployment.requests += 1
        suffix = f": {detail}" if detail else ""
        if not ok:
            deployment.errors += 1
            self._log(deployment, "error", f"Prediction failed after {latency_ms:.0f} ms{suffix}")
        else:
            self._log(deployment, "info", f"Prediction served in {latency_ms:.0f} ms{suffix}")
        deployment.latencies.append(float(latency_ms))
        if len(deployment.latencies) > LATENCY_KEEP:
            del deployment.latencies[: len(deployment.latencies) - LATENCY_KEEP]
        deployment.served.append(ServedRequest(at=self.world.now(), latency_ms=float(latency_ms), ok=ok))
        if len(deployment.served) > LATENCY_KEEP:
            del deployment.served[: len(deployment.served) - LATENCY_KEEP]
        if deployment.instances == 0 and deployment.status == "running":
            deployment.instances = 1
            self._log(deployment, "info", "Scaled up from zero to 1 instance")

    # -- the clock drives the rest -------------------------------------------------
    def _enter(self, account: Account, d: Deployment, status: str) -> None:
        w = self.world
        now = w.now()
        d.status = status  # type: ignore[assignment]
        d.updated_at = now
        if status == "running":
            d.instances = d.min_instances
            d.running_since = now
            d.deployed_at = d.deployed_at or now
            self._log(d, "info", f"Deployment is running with {d.instances} instance(s)")
        elif status == "stopped":
            d.instances = 0
            d.running_since = None
            self._log(d, "info", "Deployment stopped")
        elif status == "failed":
            d.instances = 0
        else:
            self._log(d, "info", f"Deployment is {status}")
        self.activity.record(account, f"deployment.{status}", f"Deployment '{d.name}' is {status}", "deployment", d.id)
        step = NEXT.get(status)
        if step is not None:
            w.clock.schedule(now + step[1], EVENT, {"accountId": account.id, "deploymentId": d.id, "from": status})

    def _step(self, payload: dict[str, Any]) -> None:
        w = self.world
        account = w.accounts.get(payload["accountId"])
        d: Deployment | None = w.deployments(payload["accountId"]).get(payload["deploymentId"])
        if account is None or account.deleted or d is None or d.status != payload["from"]:
            return
        target = NEXT[d.status][0]
        stuck = w.scripts.deployment_stuck(account.id, d.region) if target == "running" else None
        if stuck is not None and stuck.error is None:
            # Never becomes ready: health checks keep failing, nothing moves on.
            self._log(d, "warning", "Health check failed: the model server is not ready yet")
            return
        if stuck is not None:
            self._log(d, "error", stuck.error or "Deployment failed")
            self._enter(account, d, "failed")
            return
        if target == "running" and w.models(account.id).get(d.model_id) is None:
            self._log(d, "error", "The model was deleted; nothing to serve")
            self._enter(account, d, "failed")
            return
        self._enter(account, d, target)

    def _free_slug(self, account: Account, base: str) -> str:
        slug, n = base, 1
        while self.by_slug(account, slug) is not None:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _cancel_steps(self, d: Deployment) -> None:
        self.world.clock.cancel(lambda due: due.kind == EVENT and due.payload.get("deploymentId") == d.id)

    def _log(self, d: Deployment, severity: str, message: str) -> None:
        d.logs.append(DeploymentLog(at=self.world.now(), severity=severity, message=message))
        if len(d.logs) > LOG_KEEP:
            del d.logs[: len(d.logs) - LOG_KEEP]
