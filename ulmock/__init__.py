"""ulmock: a high-fidelity, stateful emulator of the Ultralytics Platform REST API."""

from __future__ import annotations

__version__ = "0.1.0"

from ulmock.app import create_app  # noqa: E402
from ulmock.clock import Clock  # noqa: E402
from ulmock.emulator import Emulator  # noqa: E402
from ulmock.server import ServerThread  # noqa: E402

__all__ = ["Clock", "Emulator", "ServerThread", "create_app", "__version__"]
