"""The demo dashboard, served by ulmock itself at `/_ulmock/ui/` (see `dashboard.py`)."""

from ulmock.ui.dashboard import Dashboard

__all__ = ["Dashboard"]
