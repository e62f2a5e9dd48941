"""Lifecycle: operations of the live face."""

from __future__ import annotations

from ulmock.api.platform.routes import PlatformRoutes

routes = PlatformRoutes("Lifecycle")
