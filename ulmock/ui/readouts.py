"""What the dashboard shows, read from the emulator under its lock, as plain dicts.

Every function here takes the Emulator, reads its state through the domain while
holding `emulator.lock`, and returns data for a template. Nothing here changes state;
steering goes through the control API, from the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ulmock.domain.backend import Platform
from ulmock.domain.catalogue import MICRO
from ulmock.domain.clock import iso
from ulmock.domain.deployments import percentile
from ulmock.domain.entities import Account, Dataset, DatasetImage, Training
from ulmock.domain.training_record import ACTIVE
from ulmock.ui.charts import training_charts

if TYPE_CHECKING:
    from ulmock.emulator import Emulator

JOURNAL_ROWS = 25
DELIVERY_ROWS = 15
TRAINING_ROWS = 6
DEPLOYMENT_ROWS = 20
ACTIVITY_ROWS = 30
LOG_ROWS = 12
# Box colours cycle through this many stylesheet classes (c0..c9).
PALETTE = 10


def usd(micro: int) -> str:
    sign = "-" if micro < 0 else ""
    return f"{sign}${abs(micro) / MICRO:,.2f}"


def face(emulator: Emulator) -> str:
    """The API face served ("reference" until the emulator says otherwise)."""
    return str(getattr(emulator, "api", None) or "reference")


# -- the overview ----------------------------------------------------------------
def overview(emulator: Emulator) -> dict[str, Any]:
    with emulator.lock:
        p = emulator.platform
        accounts = p.accounts.live()
        trainings = sorted((t for a in accounts for t in p.world.trainings(a.id).values()), key=_training_order)
        data = {
            "scenario": emulator.name,
            "face": face(emulator),
            "clock": emulator.clock.describe(),
            "accounts": [account_row(p, a) for a in accounts],
            "trainings": [training_row(p, t) for t in trainings[:TRAINING_ROWS]],
            "deployments": [deployment_row(p, d) for a in accounts for d in p.world.deployments(a.id).values()][
                :DEPLOYMENT_ROWS
            ],
            "faults": [fault_row(f) for f in emulator.faults.active()],
            "deliveries": [delivery_row(d) for d in list(p.webhooks.deliveries())[-DELIVERY_ROWS:][::-1]],
        }
    data["requests"] = [e.as_dict() for e in emulator.journal.query(limit=JOURNAL_ROWS)][::-1]
    return data


def _training_order(t: Training) -> tuple[int, float]:
    """Runs under way first, then the most recent."""
    return (0 if t.status in ACTIVE else 1, -t.created_at)


def account_row(p: Platform, a: Account) -> dict[str, Any]:
    per_minute, per_day = p.accounts.limits(a)
    minute_used, day_used = p.rate_limits.usage(a.id)
    balance = p.billing.balance(a)
    return {
        "id": a.id,
        "username": a.username,
        "email": a.email,
        "plan": a.plan,
        "balance": usd(balance.available),
        "cash": usd(balance.cash),
        "credit": usd(balance.credit),
        "reserved": usd(balance.reserved),
        "apiKeys": [{"name": k.name, "secret": k.secret, "scopes": k.scopes} for k in p.world.api_keys(a.id).values()],
        "rate": {
            "minute": minute_used,
            "perMinute": per_minute,
            "day": day_used,
            "perDay": per_day,
            "minutePct": _pct(minute_used, per_minute),
            "dayPct": _pct(day_used, per_day),
        },
    }


def _pct(used: int, limit: int) -> float:
    return round(min(100.0, 100.0 * used / limit), 1) if limit else 0.0


def training_row(p: Platform, t: Training) -> dict[str, Any]:
    account = p.world.accounts.get(t.account_id)
    model = p.world.models(t.account_id).get(t.model_id)
    dataset = p.world.datasets(t.account_id).get(t.dataset_id)
    last = t.history[-1] if t.history else {}
    return {
        "id": t.id,
        "account": account.username if account else t.account_id,
        "model": model.name if model else t.model_id,
        "dataset": dataset.name if dataset else t.dataset_id,
        "status": t.status,
        "source": t.source,
        "epoch": t.current_epoch,
        "epochs": t.epochs,
        "gpu": t.gpu_type,
        "cost": usd(t.cost_so_far),
        "estimated": usd(t.estimated_cost),
        "error": t.error,
        "progress": p.trainings.progress(t),
        "map50": last.get("metrics/mAP50(B)"),
        "charts": training_charts(t.history, t.epochs),
    }


def deployment_row(p: Platform, d: Any) -> dict[str, Any]:
    account = p.world.accounts.get(d.account_id)
    return {
        "id": d.id,
        "name": d.name,
        "account": account.username if account else d.account_id,
        "status": d.status,
        "region": d.region,
        "instances": d.instances,
        "minInstances": d.min_instances,
        "maxInstances": d.max_instances,
        "requests": d.requests,
        "errors": d.errors,
        "p50": percentile(d.latencies, 0.50),
        "p95": percentile(d.latencies, 0.95),
        "logs": [{"time": iso(x.at), "severity": x.severity, "message": x.message} for x in d.logs[-LOG_ROWS:][::-1]],
    }


def fault_row(f: Any) -> dict[str, Any]:
    s = f.spec
    effect = " ".join(x for x in (str(s.status or ""), s.code or "", f"+{s.latencyMs} ms" if s.latencyMs else "") if x)
    return {
        "id": f.id,
        "method": s.method or "any",
        "path": s.path,
        "account": s.account,
        "effect": effect,
        "probability": s.probability,
        "remaining": f.remaining,
        "hits": f.hits,
    }


def delivery_row(d: Any) -> dict[str, Any]:
    last = d.attempts[-1] if d.attempts else None
    return {
        "type": d.type,
        "url": d.url,
        "status": d.status,
        "attempts": len(d.attempts),
        "lastStatus": (last.status_code or last.error) if last else None,
        "time": iso(d.created_at),
    }


# -- one account -------------------------------------------------------------------
def account_detail(emulator: Emulator, username: str) -> dict[str, Any] | None:
    with emulator.lock:
        p = emulator.platform
        account = p.accounts.by_username(username)
        if account is None:
            return None
        w = p.world
        models = list(w.models(account.id).values())
        exports = list(w.exports(account.id).values())
        projects = [
            {
                "name": pr.name,
                "slug": pr.slug,
                "description": pr.description,
                "models": [model_row(m, exports) for m in models if m.project_id == pr.id],
            }
            for pr in w.projects(account.id).values()
        ]
        trainings = sorted(w.trainings(account.id).values(), key=_training_order)
        return {
            "clock": emulator.clock.describe(),
            "account": account_row(p, account),
            "projects": projects,
            "datasets": [dataset_row(d) for d in w.datasets(account.id).values()],
            "trainings": [training_row(p, t) for t in trainings],
            "deployments": [deployment_row(p, d) for d in w.deployments(account.id).values()],
            "trash": [
                {"type": t.type, "name": t.name, "deleted": iso(t.deleted_at), "expires": iso(t.expires_at)}
                for t in w.trash(account.id).values()
            ][::-1],
            "activity": [
                {"time": iso(e.created_at), "type": e.type, "message": e.message}
                for e in list(w.activity(account.id).values())[-ACTIVITY_ROWS:][::-1]
            ],
            "payments": [
                {"time": iso(x.created_at), "description": x.description, "amount": usd(x.amount), "status": x.status}
                for x in w.payments(account.id).values()
            ][::-1],
        }


def model_row(m: Any, exports: list[Any]) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "task": m.task,
        "status": m.status,
        "source": m.source,
        "classes": len(m.class_names),
        "metrics": {k.removeprefix("metrics/"): round(v, 3) for k, v in m.metrics.items()},
        "file": {"name": m.file.name, "size": _size(m.file.size), "format": m.file.format} if m.file else None,
        "exports": [
            {"format": e.format, "status": e.status, "size": _size(e.size) if e.size else ""}
            for e in exports
            if e.model_id == m.id
        ],
    }


def dataset_row(d: Dataset) -> dict[str, Any]:
    labelled = sum(1 for i in d.images if i.labeled)
    return {
        "id": d.id,
        "name": d.name,
        "task": d.task,
        "images": len(d.images),
        "labelled": labelled,
        "classes": d.class_names,
        "visibility": d.visibility,
        "description": d.description,
    }


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


# -- a dataset's gallery -------------------------------------------------------------
def gallery(emulator: Emulator, dataset_id: str) -> dict[str, Any] | None:
    """A dataset's images, boxes and legend; None when there is no such dataset."""
    with emulator.lock:
        dataset = emulator.platform.datasets.find_any(dataset_id)
        return None if dataset is None else _gallery(emulator.platform, dataset)


def _gallery(p: Platform, dataset: Dataset) -> dict[str, Any]:
    owner = p.world.accounts.get(dataset.account_id)
    tiles = [image_tile(dataset, i) for i in dataset.images]
    # The legend names the classes the labels use, not all of a large vocabulary.
    used = sorted({(b["colour"], b["name"]) for t in tiles for b in t["boxes"]}, key=lambda cb: cb[1])
    return {
        "dataset": dataset_row(dataset),
        "owner": owner.username if owner else None,
        "classes": [{"name": name, "colour": colour} for colour, name in used],
        "images": tiles,
    }


def image_tile(dataset: Dataset, image: DatasetImage) -> dict[str, Any]:
    """An image and its YOLO boxes (`cls cx cy w h`, normalised) in the image's pixels."""
    boxes = []
    for row in image.annotations.get("boxes") or []:
        if len(row) < 5:
            continue
        cls, cx, cy, bw, bh = int(row[0]), *(float(v) for v in row[1:5])
        name = dataset.class_names[cls] if 0 <= cls < len(dataset.class_names) else str(cls)
        boxes.append(
            {
                "name": name,
                "colour": cls % PALETTE,
                "x": round((cx - bw / 2) * image.width, 1),
                "y": round((cy - bh / 2) * image.height, 1),
                "w": round(bw * image.width, 1),
                "h": round(bh * image.height, 1),
            }
        )
    return {"file": image.file, "width": image.width, "height": image.height, "split": image.split, "boxes": boxes}


def image_bytes(emulator: Emulator, dataset_id: str, name: str) -> bytes | None:
    with emulator.lock:
        p = emulator.platform
        dataset = p.datasets.find_any(dataset_id)
        image = next((i for i in dataset.images if i.file == name), None) if dataset else None
        if image is None or p.world.blobs.get(image.blob_id) is None:
            return None
        return p.world.blobs.read(image.blob_id)


# -- the playground ------------------------------------------------------------------
def runnable_models(emulator: Emulator) -> list[dict[str, Any]]:
    """Every model, labelled by owner and project, for the playground's picker."""
    with emulator.lock:
        p = emulator.platform
        out = []
        for a in p.accounts.live():
            projects = {pr.id: pr.name for pr in p.world.projects(a.id).values()}
            for m in p.world.models(a.id).values():
                weights = m.file.name if m.file else "bundled YOLOv3-tiny"
                out.append(
                    {
                        "id": m.id,
                        "label": f"{a.username} / {projects.get(m.project_id, '?')} / {m.name}",
                        "weights": weights,
                    }
                )
        return out


def model_file_for(emulator: Emulator, model_id: str) -> tuple[bool, str | None]:
    """(found, the weights onnxruntime opens: None means the bundled network)."""
    with emulator.lock:
        model = emulator.platform.models.find_any(model_id)
        if model is None:
            return False, None
        return True, emulator.model_file_path(model)
