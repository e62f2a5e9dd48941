"""`--state FILE`: a demo environment that survives restarts, and crashes mid-save."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import auth, free_port, start_server, stop_server
from ulmock.persistence import load_state
from ulmock.scenarios import build_emulator


def test_a_restart_with_state_shows_the_same_world_clock_included(tmp_path):
    state, port = tmp_path / "demo-state.json", free_port()
    base, key = f"http://127.0.0.1:{port}", auth("acme-vision")
    first = start_server(port, "--manual-clock", "--state", str(state))
    project = httpx.post(f"{base}/api/projects", json={"name": "Survivor"}, headers=key).json()["data"]
    httpx.post(f"{base}/_ulmock/clock/advance", json={"seconds": 7200})
    before = httpx.get(f"{base}/_ulmock/clock").json()["data"]
    trainings = httpx.get(f"{base}/api/models", headers=key).json()["data"]
    assert "saved state" in stop_server(first)

    second = start_server(port, "--manual-clock", "--state", str(state))
    try:
        assert httpx.get(f"{base}/_ulmock/clock").json()["data"]["now"] == before["now"]
        again = httpx.get(f"{base}/api/projects/{project['id']}", headers=key).json()["data"]
        assert again["name"] == "Survivor"
        assert httpx.get(f"{base}/api/models", headers=key).json()["data"] == trainings
        # The world goes on from where it was: the demo's training keeps moving.
        httpx.post(f"{base}/_ulmock/clock/advance", json={"seconds": 6 * 3600})
        models = httpx.get(f"{base}/api/models", headers=key).json()["data"]
        assert all(m["status"] != "training" for m in models)
    finally:
        stop_server(second)


def test_a_crash_during_a_save_leaves_the_previous_state_file_whole(tmp_path):
    state = tmp_path / "state.json"
    # A child saves a big world over and over; we kill it while a save is in progress.
    script = textwrap.dedent(f"""
        from pathlib import Path
        from ulmock.persistence import save_state
        from ulmock.scenarios import build_emulator
        e = build_emulator("minimal", mode="manual")
        account = next(iter(e.platform.world.accounts.values()))
        for i in range(40000):
            e.platform.projects.create(account, f"project {{i}}", "x" * 200)
        path = Path({str(state)!r})
        save_state(e, path)
        print("first save done", flush=True)
        while True:
            save_state(e, path)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "first save done"
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".state.json.*")):
        assert time.monotonic() < deadline, "never caught a save in progress"
    child.send_signal(signal.SIGKILL)
    child.wait()
    snapshot = json.loads(state.read_text())
    assert len(snapshot["world"]["tables"]["project"]) == 1
    assert sum(len(v) for v in snapshot["world"]["tables"]["project"].values()) == 40001
    assert Path(state).stat().st_size > 1_000_000


def test_a_corrupt_state_file_is_a_clear_error(tmp_path):
    state = tmp_path / "state.json"
    state.write_text('{"not": "a snapshot"}')
    run = subprocess.run(
        [sys.executable, "-m", "ulmock.cli", "serve", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "is not a ulmock state file" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_every_stop_signal_saves_the_state_before_the_process_ends(tmp_path, stop):
    """`docker stop`, systemd and CI send SIGTERM, a terminal SIGINT, a closed session SIGHUP."""
    state, port = tmp_path / "state.json", free_port()
    base, key = f"http://127.0.0.1:{port}", auth("acme-vision")
    server = start_server(port, "--manual-clock", "--state", str(state), "--save-every", "3600")
    created = httpx.post(f"{base}/api/datasets", json={"name": f"kept {stop.name}", "task": "detect"}, headers=key)
    assert created.status_code == 201
    server.send_signal(stop)
    out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out
    assert "saved state" in out and "Traceback" not in out
    restored = build_emulator("demo", mode="manual")
    assert load_state(restored, state)
    with restored.lock:
        names = [d.name for t in restored.platform.world.datasets.by_account.values() for d in t.values()]
    assert f"kept {stop.name}" in names


def _state_kinds(tmp_path: Path) -> dict[str, Path]:
    """Files a --state may point at that are no ulmock state: each must be refused cleanly."""
    good = build_emulator("minimal", mode="manual").snapshot()

    def snapshot_with(**world: object) -> bytes:
        return json.dumps({**good, "world": {**good["world"], **world}}).encode()

    kinds: dict[str, bytes | None] = {
        "empty": b"",
        "truncated": json.dumps(good).encode()[:500],
        "binary": bytes(range(256)) * 4,
        "latin-1 text": '{"caf\xe9": 1}'.encode("latin-1"),
        "100k-deep JSON": b"[" * 100_000 + b"]" * 100_000,
        "a list": b"[]",
        "null": b"null",
        "not a snapshot": b'{"not": "a snapshot"}',
        "rateWindows a list": snapshot_with(rateWindows=[]),
        "a version from the future": snapshot_with(version=99),
        "a stored blob whose file is gone": snapshot_with(
            blobs=[{**good["world"]["blobs"][0], "fixture": None, "stored": True}]
        ),
        "a blob read from the host": snapshot_with(blobs=[{**good["world"]["blobs"][0], "path": "/etc/hostname"}]),
        "a directory": None,
    }
    paths = {}
    for name, content in kinds.items():
        path = tmp_path / name.replace(" ", "-")
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content)
        paths[name] = path
    return paths


def test_every_kind_of_bad_state_file_is_one_line_naming_it_exit_2_and_left_untouched(tmp_path, capsys, monkeypatch):
    import ulmock.graceful
    from ulmock.cli import main

    def serve(*args: object) -> None:  # a file taken for a state would start a server that never returns
        raise AssertionError("the state file was accepted")

    monkeypatch.setattr(ulmock.graceful, "serve", serve)

    for name, path in _state_kinds(tmp_path).items():
        before = path.read_bytes() if path.is_file() else None
        code = main(["serve", "--port", "0", "--manual-clock", "--scenario", "minimal", "--state", str(path)])
        err = capsys.readouterr().err
        assert code == 2, name
        assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err, (name, err)
        assert (path.read_bytes() if path.is_file() else None) == before, name
        assert not (tmp_path / (path.name + ".blobs")).exists()


def test_saves_keep_big_uploads_out_of_the_json_and_requests_moving(tmp_path):
    """Uploads are files beside the state file, written once; saving does not hold the API up.

    The bound is loose on purpose (a shared CI machine); bench/bench_state_saves.py measures."""
    import io
    import zipfile

    from ulmock.api.app import create_app
    from ulmock.persistence import StateSaver, blob_folder
    from ulmock.server import ServerThread

    def weights(salt: int) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
            z.writestr("best/data/0", os.urandom(20 * 1024 * 1024) + bytes([salt]))
        return buf.getvalue()

    emulator = build_emulator("minimal", mode="manual")
    uploads = [weights(i) for i in range(2)]
    with emulator.lock:
        p = emulator.platform
        account = p.accounts.by_username("ci-user")
        account.plan = "enterprise"  # type: ignore[union-attr]
        project = p.projects.create(account, "weights", "")  # type: ignore[arg-type]
        models = [p.models.upload(account, project.id, f"m{i}", f"m{i}.pt", u).id for i, u in enumerate(uploads)]  # type: ignore[arg-type]
    state = tmp_path / "state.json"
    waits: list[float] = []
    with ServerThread(create_app(emulator)) as server:
        saver = StateSaver(emulator, state, interval=0.2).start()
        headers = auth("ci-user")
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            until = time.monotonic() + 2.0
            while time.monotonic() < until:
                began = time.monotonic()
                assert client.get("/api/projects").status_code == 200
                waits.append(time.monotonic() - began)
        saver.stop()
    assert max(waits) < 1.0, max(waits)
    assert state.stat().st_size < 200_000  # 40 MB of weights are not in it
    beside = sorted(f.name for f in blob_folder(state).iterdir())
    assert len(beside) == 2 and all(len(name) == 64 for name in beside)
    with emulator.lock:  # the bytes are read from those files now, not held in memory
        assert all(emulator.platform.world.blobs.get(p.models.find_any(m).file.blob_id).data is None for m in models)  # type: ignore[union-attr]

    restored = build_emulator("minimal", mode="manual")
    assert load_state(restored, state)
    with restored.lock:
        rp = restored.platform
        assert [rp.world.blobs.read(rp.models.find_any(m).file.blob_id) for m in models] == uploads  # type: ignore[union-attr]


def test_a_deleted_uploads_file_is_removed_at_the_next_save(tmp_path):
    import io
    import zipfile

    from ulmock.persistence import blob_folder, save_state

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("best/data/0", os.urandom(200_000))
    emulator = build_emulator("minimal", mode="manual")
    state = tmp_path / "state.json"
    with emulator.lock:
        p = emulator.platform
        account = p.accounts.by_username("ci-user")
        project = p.projects.list(account, 1, 10).items[0]  # type: ignore[arg-type]
        model = p.models.upload(account, project.id, "big", "big.pt", buf.getvalue())  # type: ignore[arg-type]
    save_state(emulator, state)
    assert len(list(blob_folder(state).iterdir())) == 1
    with emulator.lock:
        p.accounts.erase(account)  # type: ignore[arg-type]
    save_state(emulator, state)
    assert list(blob_folder(state).iterdir()) == []
    assert "ci-user" not in state.read_text() and model.id not in state.read_text()
