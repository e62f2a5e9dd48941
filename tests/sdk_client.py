"""Run by tests/test_sdk_e2e.py inside a venv with the real `ultralytics`: train, then load.

Not a test module: it runs as a plain script (no pytest, so the SDK's platform callbacks
are live) with ULTRALYTICS_PLATFORM_URL and ULTRALYTICS_API_KEY pointing at ulmock.
Prints one JSON line, prefixed RESULT:, for the test to check.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(workdir: str, name: str = "e2e") -> None:
    os.chdir(workdir)
    from ultralytics import YOLO
    from ultralytics.utils import SETTINGS
    from ultralytics.utils.callbacks import platform

    platform.TESTS_RUNNING = False  # in case a pytest import leaked into this process
    SETTINGS.update(
        {
            "datasets_dir": str(Path(workdir) / "datasets"),
            "runs_dir": str(Path(workdir) / "runs"),
            "weights_dir": str(Path(workdir) / "weights"),
            "sync": False,
        }
    )

    model = YOLO("yolo11n.yaml")  # built from its YAML: no weights to download
    model.train(
        data="ul://acme-vision/datasets/street-scenes",
        project="acme-vision/traffic-analytics",
        name=name,
        epochs=2,
        imgsz=64,
        batch=4,
        workers=0,
        device="cpu",
        amp=False,
        plots=False,
        val=True,
        exist_ok=True,
    )
    best = Path(model.trainer.best)
    loaded = YOLO(f"ul://acme-vision/traffic-analytics/{name}")  # downloads best.pt back from ulmock
    result = {
        "best": str(best.resolve()),
        "loaded": str(Path(loaded.ckpt_path).resolve()) if getattr(loaded, "ckpt_path", None) else None,
        "loadedNames": len(loaded.names),
        "task": loaded.task,
    }
    print("RESULT:" + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
