"""Suite-wide report: where the dashboard's browser tests left their screenshots.

The fixtures come from ulmock's own pytest plugin (`ulmock.testing`); the helpers the test
modules share (envelopes, keys, fixture paths, ports, servers in a subprocess) are plain
functions in `tests/helpers.py`, and the webhook receiver is `tests/receiver.py`.
"""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # user_properties travel from xdist workers to the controller; stdout does not.
    paths = [
        value
        for reports in terminalreporter.stats.values()
        for r in reports
        for name, value in getattr(r, "user_properties", ())
        if name == "screenshot"
    ]
    if paths:
        terminalreporter.section("dashboard screenshots")
        for path in dict.fromkeys(paths):
            terminalreporter.write_line(path)
