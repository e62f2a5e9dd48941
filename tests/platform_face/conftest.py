"""The live face, tried as a user would: the official client against a live ulmock.

`client` is `ultralytics_platform.Platform` pointed at the fixture's URL with its key
(no retries: a refusal must show at once); `stranger` is the same for a second account.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ultralytics_platform import Platform

from ulmock.testing import Ulmock


@pytest.fixture
def client(ulmock: Ulmock) -> Iterator[Platform]:
    """The official client, no retries (a refusal must show at once), carrying the default key."""
    with Platform(api_key=ulmock.api_key, base_url=ulmock.url, max_retries=0) as platform:
        yield platform


@pytest.fixture
def stranger(ulmock: Ulmock) -> Iterator[Platform]:
    """A client of a second account, for cross-account checks."""
    other = ulmock.account("stranger", plan="pro")
    with Platform(api_key=other.api_key, base_url=ulmock.url, max_retries=0) as platform:
        yield platform
