"""Training curves as SVG geometry: per-epoch metrics mapped into a fixed viewBox.

Pure arithmetic on a training's history; the template draws the result. The x axis
always spans the run's planned epochs, so a curve visibly grows as epochs complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT = 280.0, 150.0
LEFT, RIGHT, TOP, BOTTOM = 34.0, 8.0, 8.0, 20.0


@dataclass(frozen=True)
class Line:
    key: str  # the metric, e.g. "metrics/mAP50(B)"
    label: str
    css: str  # which colour the stylesheet gives it
    points: str  # "x,y x,y ..." in viewBox units
    last: float | None


@dataclass(frozen=True)
class Chart:
    title: str
    lines: list[Line]
    epochs_done: int
    epochs: int
    y_ticks: list[tuple[float, str]] = field(default_factory=list)  # (y in viewBox, label)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    right: float = WIDTH - RIGHT
    top: float = TOP
    bottom: float = HEIGHT - BOTTOM


LOSS_SERIES = (
    ("train/box_loss", "box loss", "s1"),
    ("train/cls_loss", "cls loss", "s2"),
    ("val/box_loss", "val box loss", "s3"),
)
MAP_SERIES = (("metrics/mAP50(B)", "mAP50", "s1"), ("metrics/mAP50-95(B)", "mAP50-95", "s2"))


def curve(
    title: str,
    history: Sequence[dict[str, Any]],
    epochs: int,
    series: Sequence[tuple[str, str, str]],
    y_max: float | None = None,
) -> Chart:
    """One chart of `series` (metric, label, css class) over epochs 1..`epochs`.

    `y_max` fixes the top of the y axis (1.0 for mAP); otherwise it fits the data.
    """
    rows = sorted((h for h in history if "epoch" in h), key=lambda h: float(h["epoch"]))
    values = [float(h[key]) for h in rows for key, _, _ in series if isinstance(h.get(key), int | float)]
    top = y_max if y_max is not None else (max(values) * 1.1 if values else 1.0)
    top = top if top > 0 else 1.0
    span_x = max(1, epochs - 1)
    plot_w, plot_h = WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP

    def x_of(epoch: float) -> float:
        return round(LEFT + plot_w * (epoch - 1) / span_x, 2)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (1 - min(value, top) / top), 2)

    lines = []
    for key, label, css in series:
        pts = [(float(h["epoch"]), float(h[key])) for h in rows if isinstance(h.get(key), int | float)]
        if not pts:
            continue
        lines.append(Line(key, label, css, " ".join(f"{x_of(e)},{y_of(v)}" for e, v in pts), pts[-1][1]))
    y_ticks = [(y_of(top * f), _short(top * f)) for f in (0.0, 0.5, 1.0)]
    x_ticks = [(x_of(e), str(e)) for e in sorted({1, max(1, (epochs + 1) // 2), max(1, epochs)})]
    return Chart(title, lines, len(rows), epochs, y_ticks, x_ticks)


def training_charts(history: Sequence[dict[str, Any]], epochs: int) -> list[Chart]:
    """The two charts a training shows: losses falling, mAP rising."""
    return [curve("Loss", history, epochs, LOSS_SERIES), curve("mAP", history, epochs, MAP_SERIES, y_max=1.0)]


def _short(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"
