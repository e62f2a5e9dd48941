"""ulmock: a high-fidelity, stateful emulator of the Ultralytics Platform REST API.

    from ulmock import create_app, Emulator, ServerThread, Clock

The names are imported on first use: the pytest plugin (`ulmock.testing`) loads in
every pytest run of a project that has ulmock installed, and must not pay for the web
framework or the inference runtime until a test asks for the fixture.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ulmock.api.app import create_app
    from ulmock.domain.clock import Clock
    from ulmock.emulator import Emulator
    from ulmock.server import ServerThread

__all__ = ["Clock", "Emulator", "ServerThread", "__version__", "create_app"]

# Public name -> the module that defines it.
_LAZY = {
    "create_app": "ulmock.api.app",
    "Clock": "ulmock.domain.clock",
    "Emulator": "ulmock.emulator",
    "ServerThread": "ulmock.server",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ulmock.version import version

        return version()
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'ulmock' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
