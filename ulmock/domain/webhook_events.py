"""What the domain announces to webhook subscribers: facts, frozen when they happen.

An event is a frozen dataclass that names its type (`training.completed`) and holds
copies of the values it tells, so a delivery sent later, or retried an hour on, still
shows the state at the moment of the event. How an event looks on the wire (its keys,
its times, the JSON body that is signed) is not the domain's to say: `Webhooks` is
given a `MessageFormat` (`ulmock.webhook_payloads.message`) and keeps what it renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, get_args

from ulmock.domain.entities import Export, Training


def _frozen(metrics: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(metrics))


@dataclass(frozen=True)
class TrainingState:
    """A training run as an event found it."""

    training_id: str
    model_id: str
    dataset_id: str
    status: str
    current_epoch: int
    total_epochs: int
    gpu_type: str
    cost_so_far: int  # micro-USD

    @classmethod
    def of(cls, t: Training) -> TrainingState:
        return cls(t.id, t.model_id, t.dataset_id, t.status, t.current_epoch, t.epochs, t.gpu_type, t.cost_so_far)


@dataclass(frozen=True)
class TrainingStarted:
    type: ClassVar[str] = "training.started"
    training: TrainingState


@dataclass(frozen=True)
class TrainingEpoch:
    type: ClassVar[str] = "training.epoch"
    training: TrainingState
    epoch: int
    metrics: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", _frozen(self.metrics))


@dataclass(frozen=True)
class TrainingCompleted:
    type: ClassVar[str] = "training.completed"
    training: TrainingState
    metrics: Mapping[str, float]  # the model's, after the run

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", _frozen(self.metrics))


@dataclass(frozen=True)
class TrainingFailed:
    type: ClassVar[str] = "training.failed"
    training: TrainingState
    error: str | None


@dataclass(frozen=True)
class ExportCompleted:
    type: ClassVar[str] = "export.completed"
    export_id: str
    model_id: str
    format: str
    status: str
    file_name: str
    size: int
    completed_at: float

    @classmethod
    def of(cls, e: Export) -> ExportCompleted:
        assert e.completed_at is not None
        return cls(e.id, e.model_id, e.format, e.status, e.file_name, e.size, e.completed_at)


WebhookEvent = TrainingStarted | TrainingEpoch | TrainingCompleted | TrainingFailed | ExportCompleted
# The types an endpoint may subscribe to, in the order error messages list them.
EVENT_TYPES: tuple[str, ...] = tuple(kind.type for kind in get_args(WebhookEvent))


class Message(NamedTuple):
    """An event as it goes out: the payload a delivery lists, and the exact body sent and signed."""

    payload: dict[str, Any]
    body: str


# The wire format: (message id, time of the event, the event) -> its message.
MessageFormat = Callable[[str, float, WebhookEvent], Message]
