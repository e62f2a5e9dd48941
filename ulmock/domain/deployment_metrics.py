"""What a deployment served over a window of time: the numbers behind its metrics.

A window is cut into equal buckets of the requests the deployment really served
(`Deployment.served`); utilisation is drawn from those requests and from the
deployment's size: CPU is busy time over the bucket's CPU time, memory is the model
server plus the weights, instances count while it was up or served.
"""

from __future__ import annotations

from dataclasses import dataclass

from ulmock.domain.deployments import percentile, traffic
from ulmock.domain.entities import Deployment, Model, ServedRequest

SERVER_MEMORY = 350 * 1024 * 1024  # the model server itself, before the weights
GIB = 1024**3


def error_rate(served: list[ServedRequest]) -> float:
    return round(sum(1 for r in served if not r.ok) / len(served), 4) if served else 0.0


def mean_latency(served: list[ServedRequest]) -> float:
    return round(sum(r.latency_ms for r in served) / len(served), 3) if served else 0.0


def latency(served: list[ServedRequest], q: float) -> float:
    """The `q` quantile of the latencies, 0 when nothing was served."""
    return percentile([r.latency_ms for r in served], q) or 0.0


@dataclass(frozen=True)
class Window:
    """What `deployment` served in the `span` seconds up to `end`, in equal buckets."""

    deployment: Deployment
    end: float
    span: float
    buckets: list[list[ServedRequest]]

    @classmethod
    def until(cls, deployment: Deployment, end: float, span: float, count: int) -> Window:
        return cls(deployment, end, span, traffic(deployment, end - span, end, count))

    @property
    def start(self) -> float:
        return self.end - self.span

    @property
    def step(self) -> float:
        return self.span / len(self.buckets)

    @property
    def served(self) -> list[ServedRequest]:
        return [r for b in self.buckets for r in b]

    def times(self) -> list[float]:
        """When each bucket starts."""
        return [self.start + i * self.step for i in range(len(self.buckets))]

    def requests(self) -> list[float]:
        return [float(len(b)) for b in self.buckets]

    def errors(self) -> list[float]:
        return [float(sum(1 for r in b if not r.ok)) for b in self.buckets]

    def latencies(self, q: float) -> list[float]:
        return [latency(b, q) for b in self.buckets]

    def cpu(self) -> list[float]:
        """Busy time over each bucket's CPU time, in percent."""
        cpu_ms = self.step * 1000 * self.deployment.cpu
        return [round(min(100.0, 100 * sum(r.latency_ms for r in b) / cpu_ms), 3) for b in self.buckets]

    def up(self) -> list[bool]:
        """A bucket had instances if the deployment was up then, or served then (scaled from zero)."""
        d = self.deployment
        return [
            bool(b)
            or (
                d.running_since is not None
                and self.start + (i + 1) * self.step > d.running_since
                and d.min_instances > 0
            )
            for i, b in enumerate(self.buckets)
        ]

    def memory(self, model: Model | None) -> list[float]:
        """The model server and the weights over the deployment's memory, in percent, while up."""
        weights = model.file.size if model is not None and model.file is not None else 0
        used = round(100.0 * min(1.0, (SERVER_MEMORY + weights) / (self.deployment.memory_gi * GIB)), 2)
        return [used if u else 0.0 for u in self.up()]

    def instances(self) -> list[float]:
        return [float(max(1, self.deployment.min_instances)) if u else 0.0 for u in self.up()]
