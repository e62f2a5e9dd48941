"""Suite-wide report: where the dashboard's browser tests left their screenshots."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # user_properties travel from xdist workers to the controller; stdout does not.
    paths = [value for reports in terminalreporter.stats.values() for r in reports
             for name, value in getattr(r, "user_properties", ()) if name == "screenshot"]  # fmt: skip
    if paths:
        terminalreporter.section("dashboard screenshots")
        for path in dict.fromkeys(paths):
            terminalreporter.write_line(path)
