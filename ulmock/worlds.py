"""Built-in worlds, until YAML scenarios take over: `demo` (the default) and `minimal`.

Their accounts have fixed API keys, so READMEs, curl examples and CI scripts can name them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from faker import Faker

from ulmock.clock import ClockMode, parse_iso
from ulmock.domain.catalogue import MICRO
from ulmock.domain.entities import Account
from ulmock.domain.platform import Platform
from ulmock.emulator import Emulator
from ulmock.fixtureset import add_fixture_dataset, fixtures_dir

SAMPLES = "darknet-samples"


def fixed_key(username: str) -> str:
    """The documented key of a built-in account: stable across runs and machines."""
    return "ul_" + hashlib.sha1(f"ulmock:{username}".encode()).hexdigest()


def _account(p: Platform, username: str, plan: str, cash_usd: float, fake: Faker, **kw: Any) -> Account:
    account, _ = p.accounts.create(
        username, plan, email=f"{username}@{fake.free_email_domain()}", cash_balance=int(cash_usd * MICRO),
        api_key=fixed_key(username), **kw,
    )  # fmt: skip
    return account


def _samples_available() -> bool:
    return (fixtures_dir() / "datasets" / SAMPLES / "data.yaml").exists()


def build_minimal(p: Platform) -> None:
    """One Pro account with a project, a model and a small detect dataset: fastest start."""
    fake = Faker()
    fake.seed_instance(p.world.seed or 0)
    account = _account(p, "ci-user", "pro", 50, fake)
    project = p.projects.create(account, "ci-project", "Project for automated tests", quiet=True)
    p.models.create(account, project.id, "baseline", quiet=True)
    if _samples_available():
        add_fixture_dataset(p, account, SAMPLES, "samples", description="Darknet sample photos with YOLO labels")


def build_demo(p: Platform) -> None:
    """A small, believable team on each plan, with real images and a model."""
    fake = Faker()
    fake.seed_instance(p.world.seed or 0)
    free = _account(p, "lena", "free", 0, fake)
    pro = _account(p, "acme-vision", "pro", 120, fake)
    enterprise = _account(p, "globex", "enterprise", 2500, fake)

    traffic = p.projects.create(pro, "Traffic Analytics", "Counting vehicles and people at intersections", quiet=True)
    p.projects.create(pro, "Retail Shelf Audit", fake.catch_phrase(), quiet=True)
    p.models.create(pro, traffic.id, "street-detector-v1", status="ready",
                    class_names=["person", "bicycle", "car", "dog", "horse"], quiet=True)  # fmt: skip
    if _samples_available():
        add_fixture_dataset(p, pro, SAMPLES, "Street Scenes", description="Sample street and animal photos, YOLO boxes")
        add_fixture_dataset(p, free, SAMPLES, "Pets and Friends", description="Hobby detection set")
        add_fixture_dataset(p, enterprise, SAMPLES, "Site Safety", description="Reference images", visibility="public")
    p.datasets.create(pro, "Warehouse Pallets", "segment", "Pallet outlines (labelling in progress)", quiet=True)

    hobby = p.projects.create(free, "Backyard Birds", "Which birds visit the feeder?", quiet=True)
    p.models.create(free, hobby.id, "feeder-cam", quiet=True)
    p.projects.create(enterprise, "Factory Inspection", fake.bs().capitalize(), quiet=True)


WORLDS: dict[str, tuple[Callable[[Platform], None], str]] = {
    "demo": (build_demo, "A team on each plan, projects, a model and datasets with real images (default)"),
    "minimal": (build_minimal, "One Pro account with a project, a model and a small dataset; fastest for CI"),
}


def build_emulator(
    scenario: str = "demo",
    *,
    seed: int | None = 0,
    mode: ClockMode | None = None,
    speed: float = 1.0,
    start: str | float | None = None,
    public_url: str | None = None,
    admin_token: str | None = None,
) -> Emulator:
    if scenario not in WORLDS:
        raise ValueError(f"unknown scenario '{scenario}' (known: {', '.join(sorted(WORLDS))})")
    build, _ = WORLDS[scenario]
    begin = parse_iso(start) if isinstance(start, str) else start
    return Emulator(
        build, seed=seed, start=begin, mode=mode or "realtime", speed=speed, public_url=public_url,
        admin_token=admin_token, name=scenario,
    )  # fmt: skip
