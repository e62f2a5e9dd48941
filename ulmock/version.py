"""ulmock's version: one number, the one pyproject.toml declares, read from the package metadata."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version


@functools.cache
def version() -> str:
    try:
        return _distribution_version("ulmock")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"
