"""One server process for the benchmarks: `python bench/serve.py ulmock|bare PORT [ITEMS_JSON] [--server S]`.

`ulmock`: the minimal world, 20 datasets in `ci-user`'s account, a rate limit too large to
bite (but counted), the request journal on. `bare`: a plain Starlette route that returns
the exact bytes ulmock answers for `GET /api/datasets`. Both under uvicorn (default) or
granian (`--server granian`), same settings.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ITEMS = 20


def ulmock_app():  # type: ignore[no-untyped-def]
    from ulmock.api.app import create_app
    from ulmock.domain.entities import RateLimits
    from ulmock.scenarios import build_emulator

    emulator = build_emulator("minimal", mode="manual", start="2026-01-15T09:00:00Z")
    with emulator.lock:
        p = emulator.platform
        account = p.accounts.by_username("ci-user")
        account.rate_limits = RateLimits(per_minute=10**9, per_day=10**9)
        have = p.datasets.list(account, 1, 1).total
        for i in range(ITEMS - have):
            p.datasets.create(account, f"Bench dataset {i}", "detect", "for the benchmark")
    return create_app(emulator)


def bare_app(body: bytes) -> Starlette:
    async def datasets(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/api/datasets", datasets)])


def main() -> None:
    argv = sys.argv[1:]
    server = "uvicorn"
    if "--server" in argv:
        at = argv.index("--server")
        server = argv[at + 1]
        del argv[at : at + 2]
    kind, port = argv[0], int(argv[1])
    if kind == "ulmock":
        app = ulmock_app()
    else:
        with open(argv[2], "rb") as f:
            app = bare_app(f.read())
    if server == "uvicorn":
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
    else:
        from ulmock.server import run_server

        run_server(app, "127.0.0.1", port, server=server, log_level="warning")


if __name__ == "__main__":
    main()
