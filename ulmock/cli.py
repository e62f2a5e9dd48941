"""`ulmock serve | scenarios | openapi | fetch-model`."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import secrets
import sys
import threading
from pathlib import Path

from ulmock import __version__
from ulmock.inference.preparation import ModelPreparation


def _serve(args: argparse.Namespace) -> int:
    from ulmock.api.app import create_app
    from ulmock.domain.clock import ClockMode
    from ulmock.inference import DeviceUnavailable
    from ulmock.persistence import StateFileError, StateSaver, load_state
    from ulmock.scenarios import ScenarioError, build_emulator
    from ulmock.server import ServerUnavailable, check_server, run_server

    try:
        check_server(args.server)
    except ServerUnavailable as exc:
        print(f"ulmock: {exc}", file=sys.stderr)
        return 2
    mode: ClockMode | None = "manual" if args.manual_clock else ("realtime" if args.speed is not None else None)
    admin_token = args.admin_token
    if admin_token is None and not args.no_admin_token and not _is_loopback(args.host):
        # Others can reach it: the control API shows every key and restores any state.
        admin_token = secrets.token_urlsafe(24)
    try:
        emulator = build_emulator(
            args.scenario,
            seed=args.seed,
            mode=mode,
            speed=args.speed,
            start=args.start,
            public_url=args.public_url,
            admin_token=admin_token,
            device=args.device,
            api=args.api,
        )
    except ScenarioError as exc:
        print(f"ulmock: scenario error: {exc}", file=sys.stderr)
        return 2
    state = Path(args.state) if args.state else None
    try:
        if state is not None and load_state(emulator, state):
            print(f"ulmock: restored state from {state}")
    except StateFileError as exc:
        print(f"ulmock: {state} {exc}; move it away or fix it", file=sys.stderr)
        return 2
    try:
        engine = emulator.inference()
    except DeviceUnavailable as exc:
        print(f"ulmock: {exc.message}", file=sys.stderr)
        return 2
    # Fetch the bundled model if it is missing (predict answers 503 "preparing" meanwhile),
    # then load it, in the background, so the first predict is not the slow one.
    emulator.model_preparation = _model_preparation(args)
    warm_up = threading.Thread(
        target=_warm_up, args=(engine, emulator.model_preparation), name="ulmock-warm-up", daemon=True
    )
    warm_up.start()
    app = create_app(emulator)
    base = args.public_url or f"http://{args.host}:{args.port}"
    clock = "manual clock" if emulator.clock.mode == "manual" else f"real time x{emulator.clock.speed:g}"
    print(f"ulmock {__version__}: scenario '{emulator.name}', {clock}")
    face = "platform (live contract: owner/slug paths)" if emulator.api == "platform" else "reference (the seed's)"
    print(f"  API face     : {face}")
    print(f"  Platform API : {base}/api")
    print(f"  OpenAPI      : {base}/openapi.json")
    print(f"  Control API  : {base}/_ulmock")
    print(f"  Dashboard    : {base}/_ulmock/ui/" + ("?token=<admin token>, once" if admin_token else ""))
    if admin_token is not None:
        print(f"  Admin token  : {admin_token}   (Authorization: Bearer <token> on /_ulmock)")
    elif not _is_loopback(args.host):
        print("  Admin token  : none (--no-admin-token): anyone who reaches this address controls the emulator")
    print("  Accounts:")
    with emulator.lock:
        p = emulator.platform
        for account in p.world.accounts.values():
            for key in p.world.api_keys(account.id).values():
                print(f"    {account.username:<16} {account.plan:<11} {key.secret}")
    listing = "/api/datasets/<username>" if emulator.api == "platform" else "/api/datasets"
    print(f"  Try: curl -H 'Authorization: Bearer <key>' {base}{listing}", flush=True)
    emulator.start()
    saver = StateSaver(emulator, state, args.save_every).start() if state is not None else None
    code = 0
    try:
        stopped_by = run_server(app, args.host, args.port, server=args.server, log_level=args.log_level)
        if stopped_by is not None:
            print(f"ulmock: {stopped_by}, shutting down", flush=True)
    finally:
        emulator.stop()
        if saver is not None:
            failed = saver.stop()
            if failed is None:
                print(f"ulmock: saved state to {state}", flush=True)
            else:
                print(f"ulmock: could not save state to {state}: {failed}", file=sys.stderr, flush=True)
                code = 1
        # onnxruntime aborts the process if the interpreter exits while it is still loading.
        warm_up.join(timeout=60)
    return code


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def _model_preparation(args: argparse.Namespace) -> ModelPreparation:
    return ModelPreparation("never" if args.offline else "at-start", report=lambda line: print(line, flush=True))


def _warm_up(engine: object, preparation: ModelPreparation) -> None:
    from ulmock.inference import ModelUnavailable

    preparation.prepare()  # unless offline, or there already
    try:
        engine.warm_up()  # type: ignore[attr-defined]
    except ModelUnavailable as exc:
        print(f"ulmock: predict will answer 503 until the model is fetched: {exc.message}", file=sys.stderr)


def _scenarios(args: argparse.Namespace) -> int:
    from ulmock.scenarios import bundled_scenarios

    for name, (_, description) in bundled_scenarios().items():
        print(f"{name:<22} {description}")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    if args.api == "platform":
        from ulmock.api.platform import operations
        from ulmock.api.platform.openapi import build_openapi as build_platform_openapi

        print(json.dumps(build_platform_openapi(operations()), indent=2))
        return 0
    from ulmock.api.reference import all_operations
    from ulmock.api.reference.openapi import build_openapi

    print(json.dumps(build_openapi(all_operations()), indent=2))
    return 0


def _fetch_model(args: argparse.Namespace) -> int:
    from ulmock.inference.fetch import main as fetch_main

    return fetch_main([])


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ulmock", description="Emulator of the Ultralytics Platform REST API")
    root.add_argument("--version", action="version", version=f"ulmock {__version__}")
    sub = root.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the emulator as an HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--scenario", default="demo", help="bundled scenario name or a YAML path")
    serve.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    clock = serve.add_mutually_exclusive_group()
    clock.add_argument("--speed", type=float, default=None, help="real time, this many emulated seconds per second")
    clock.add_argument("--manual-clock", action="store_true", help="time moves only through the control API")
    serve.add_argument("--start", default=None, help="ISO time the emulated clock starts at")
    serve.add_argument(
        "--offline",
        action="store_true",
        help="never fetch the bundled model (also $ULMOCK_OFFLINE=1); predict says what to run",
    )
    serve.add_argument("--state", default=None, help="load state from FILE if present; save it there")
    serve.add_argument("--save-every", type=float, default=30.0, help="seconds between state saves (with --state)")
    serve.add_argument("--public-url", default=None, help="base URL written into signed URLs")
    serve.add_argument(
        "--admin-token",
        default=None,
        help="require this bearer token on /_ulmock (made up and printed when --host is not loopback)",
    )
    serve.add_argument(
        "--no-admin-token",
        action="store_true",
        help="serve an unguarded control API on a non-loopback address, knowingly",
    )
    serve.add_argument("--device", default=None, help="cpu (default), cuda or cuda:N; also $ULMOCK_DEVICE")
    serve.add_argument(
        "--server",
        default="uvicorn",
        choices=["uvicorn", "granian"],
        help="uvicorn (default) or granian (pip install 'ulmock[fast]')",
    )
    serve.add_argument(
        "--api",
        choices=("reference", "platform"),
        default=None,
        help="the API face: reference (the seed's, default) or platform (the live contract)",
    )
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=_serve)

    sub.add_parser("scenarios", help="list bundled scenarios").set_defaults(func=_scenarios)
    openapi = sub.add_parser("openapi", help="print the OpenAPI document")
    openapi.add_argument("--api", choices=("reference", "platform"), default="reference", help="of this face")
    openapi.set_defaults(func=_openapi)
    sub.add_parser("fetch-model", help="download and convert the bundled YOLO model").set_defaults(func=_fetch_model)
    return root


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    return int(args.func(args))


def entry_point() -> None:
    """The `ulmock` command.

    Once `serve` has stopped and saved its state, the process ends without the
    interpreter's teardown: native threads that outlive serving (granian's Rust runtime,
    onnxruntime's pools) can abort a finalising interpreter ("terminate called without an
    active exception"), turning a clean, saved shutdown into a crash."""
    code = main()
    if sys.argv[1:2] == ["serve"]:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry_point()
