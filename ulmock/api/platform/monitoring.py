"""A deployment's health, logs and metrics: what it served, as the live contract reports it.

Health runs the model once on a blank image; logs are the domain's lifecycle and serving
lines, newest first; metrics are drawn from the requests the deployment really served
(`ulmock.domain.deployment_metrics`), over a range of equal buckets.
"""

from __future__ import annotations

import io
import time
from typing import Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import deployment_at, model_served
from ulmock.api.platform.deployments import STATUS
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.api.predictions import infer
from ulmock.domain.clock import iso
from ulmock.domain.deployment_metrics import Window, error_rate, latency, mean_latency
from ulmock.domain.errors import ApiError, ValidationError

routes = PlatformRoutes("Deployments")
Severity = Literal["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"]
SEVERITY: dict[str, Severity] = {"info": "INFO", "warning": "WARNING", "error": "ERROR"}
# range: (seconds, buckets)
RANGES: dict[str, tuple[float, int]] = {
    "1h": (3600, 12),
    "6h": (6 * 3600, 12),
    "24h": (86400, 24),
    "7d": (7 * 86400, 28),
    "30d": (30 * 86400, 30),
}


class Health(TypedDict):
    healthy: bool
    status: NotRequired[int]
    latencyMs: float
    error: NotRequired[str]


class LogEntry(TypedDict):
    timestamp: str
    severity: Severity
    message: str


class Logs(TypedDict):
    entries: list[LogEntry]
    nextPageToken: NotRequired[str]


class TimeRange(TypedDict):
    start: str
    end: str


class Point(TypedDict):
    timestamp: str
    value: float


class Summary(TypedDict):
    totalRequests: int
    errorCount: int
    errorRate: float
    avgLatencyMs: float
    p50LatencyMs: float
    p95LatencyMs: float
    p99LatencyMs: float


class Series(TypedDict):
    requests: list[Point]
    errors: list[Point]
    latencyP50: list[Point]
    latencyP95: list[Point]
    cpuUtilization: list[Point]
    memoryUtilization: list[Point]
    instanceCount: list[Point]


class Measured(TypedDict):
    """What both views of the metrics open with: whose they are, and over what time."""

    deploymentId: str
    region: str
    timeRange: TimeRange


class Metrics(Measured):
    summary: Summary
    timeSeries: Series


class OverviewSummary(TypedDict):
    totalRequests: int
    errorRate: float
    p95LatencyMs: float


class OverviewSeries(TypedDict):
    requests: list[Point]
    errors: list[Point]
    latencyP95: list[Point]


class OverviewMetrics(Measured):
    summary: OverviewSummary
    timeSeries: OverviewSeries


class Sparkline(TypedDict):
    requests24h: list[int]
    totalRequests: int
    errorRate: float
    avgLatencyMs: float


class LogsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    severity: str | None = Field(None, max_length=200, description="Comma-separated severities, e.g. ERROR,WARNING")
    limit: int = Field(50, ge=1, le=1000)
    pageToken: str | None = Field(None, max_length=20, pattern=r"^\d+$")


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    range: Literal["1h", "6h", "24h", "7d", "30d"] = "24h"
    sparkline: Literal["true", "false"] = "false"
    view: Literal["overview"] | None = None


@routes.get("/api/deployments/{owner}/{deployment}/health", response=Health)
async def deployment_health(call: Call) -> Response:
    """Ping the endpoint: a ready one runs its model once on a blank image (which also warms it)."""
    with call.emulator.lock:
        d = deployment_at(call)
        model = model_served(call, d)
        model_file = call.emulator.model_file_path(model) if model is not None else None
    if d.status == "creating":
        raise ValidationError("The deployment has no service URL yet (it is being created)", {"status": "creating"})
    if d.status != "running":
        return ok(Health(healthy=False, status=503, latencyMs=0.0, error=f"Deployment is {STATUS[d.status]}"))
    started = time.perf_counter()
    try:
        await infer(call.emulator, blank_image(), model_file, 0.99, 0.7, 64)
    except ApiError as err:
        return ok(
            Health(
                healthy=False,
                status=err.status,
                latencyMs=round((time.perf_counter() - started) * 1000, 3),
                error=err.message,
            )
        )
    return ok(Health(healthy=True, status=200, latencyMs=round((time.perf_counter() - started) * 1000, 3)))


@routes.get("/api/deployments/{owner}/{deployment}/logs", query=LogsQuery, response=Logs)
def deployment_logs(call: Call) -> Response:
    """Lifecycle and serving log lines, newest first; filter by severity, page with pageToken."""
    d, q = deployment_at(call), call.query
    wanted: set[str] | None = None
    if q.severity:
        wanted = {s.strip().upper() for s in q.severity.split(",") if s.strip()}
        unknown = wanted - set(Severity.__args__)  # type: ignore[attr-defined]
        if unknown:
            raise ValidationError(f"Unknown severity {sorted(unknown)[0]}", {"severity": ", ".join(Severity.__args__)})  # type: ignore[attr-defined]
    lines = [x for x in reversed(d.logs) if wanted is None or SEVERITY[x.severity] in wanted]
    start = int(q.pageToken or 0)
    page = lines[start : start + q.limit]
    logs = Logs(entries=[LogEntry(timestamp=iso(x.at), severity=SEVERITY[x.severity], message=x.message) for x in page])
    if start + q.limit < len(lines):
        logs["nextPageToken"] = str(start + q.limit)
    return ok(logs)


@routes.get(
    "/api/deployments/{owner}/{deployment}/metrics", query=MetricsQuery, response=Metrics | OverviewMetrics | Sparkline
)
def deployment_metrics(call: Call) -> Response:
    """Requests, errors, latency, CPU, memory and instances over a range, from what the deployment served."""
    d, q = deployment_at(call), call.query
    now = call.platform.world.now()
    if q.sparkline == "true":
        day = Window.until(d, now, 86400, 24)
        served = day.served
        return ok(
            Sparkline(
                requests24h=[len(h) for h in day.buckets],
                totalRequests=len(served),
                errorRate=error_rate(served),
                avgLatencyMs=mean_latency(served),
            )
        )
    window = Window.until(d, now, *RANGES[q.range])
    served = window.served
    times = window.times()

    def series(values: list[float]) -> list[Point]:
        return [Point(timestamp=iso(at), value=v) for at, v in zip(times, values, strict=True)]

    requests, errors, p95 = series(window.requests()), series(window.errors()), series(window.latencies(0.95))
    measured = Measured(
        deploymentId=public_id(d.id), region=d.region, timeRange=TimeRange(start=iso(window.start), end=iso(now))
    )
    if q.view == "overview":
        return ok(
            OverviewMetrics(
                **measured,
                summary=OverviewSummary(
                    totalRequests=len(served), errorRate=error_rate(served), p95LatencyMs=latency(served, 0.95)
                ),
                timeSeries=OverviewSeries(requests=requests, errors=errors, latencyP95=p95),
            )
        )
    return ok(
        Metrics(
            **measured,
            summary=Summary(
                totalRequests=len(served),
                errorCount=sum(1 for r in served if not r.ok),
                errorRate=error_rate(served),
                avgLatencyMs=mean_latency(served),
                p50LatencyMs=latency(served, 0.5),
                p95LatencyMs=latency(served, 0.95),
                p99LatencyMs=latency(served, 0.99),
            ),
            timeSeries=Series(
                requests=requests,
                errors=errors,
                latencyP50=series(window.latencies(0.5)),
                latencyP95=p95,
                cpuUtilization=series(window.cpu()),
                memoryUtilization=series(window.memory(model_served(call, d))),
                instanceCount=series(window.instances()),
            ),
        )
    )


_BLANK: list[bytes] = []


def blank_image() -> bytes:
    """A 64x64 grey PNG: what a health check sends through the model."""
    if not _BLANK:
        buf = io.BytesIO()
        from PIL import Image  # loaded by the first health check, not with the app

        Image.new("RGB", (64, 64), (114, 114, 114)).save(buf, format="PNG")
        _BLANK.append(buf.getvalue())
    return _BLANK[0]
