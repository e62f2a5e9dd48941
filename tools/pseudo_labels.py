"""Write YOLO pseudo-labels for fixtures/datasets/darknet-samples from the bundled detector.

    python tools/pseudo_labels.py            # rewrite labels/*.txt and data.yaml
    python tools/pseudo_labels.py --check    # exit 1 if the files on disk differ

Each photo is run at 416 and 640 px (conf 0.25, NMS IoU 0.45). The two answers are
pooled and merged, best first: a box is dropped when it overlaps a kept box of any
class (IoU > 0.45), since at these sizes that is the same object under another name
(the white horse of person.jpg is a "sheep" at 640). When a box and a kept box of its
class lie mostly (70 %) one inside the other (a dog and the dog's body), the larger
one stays. Before that,
`CORRECTIONS` fixes classes that a person reviewing the drawn boxes found wrong. The
result is pseudo-labels: plausible, not ground truth.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ulmock.inference import InferenceEngine, ensure_bundled_model
from ulmock.inference.coco import COCO_NAMES

DATASET = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "darknet-samples"
SIZES = (416, 640)
CONF, NMS_IOU = 0.25, 0.45
MERGE_IOU, CONTAINED = 0.45, 0.7
# Reviewed by eye: horses.jpg shows only horses, which YOLOv3-tiny half calls cows.
CORRECTIONS: dict[str, dict[str, str]] = {"horses.jpg": {"cow": "horse"}}


def merged_detections(
    engine: InferenceEngine, image: Path
) -> tuple[list[tuple[int, npt.NDArray[np.float64]]], tuple[int, int]]:
    predictions = [
        engine.predict(image.read_bytes(), conf=CONF, iou=NMS_IOU, imgsz=size) for size in SIZES
    ]
    pooled = [detection for prediction in predictions for detection in prediction.detections]
    pooled.sort(key=lambda d: -d["confidence"])
    fixes = CORRECTIONS.get(image.name, {})
    kept: list[tuple[int, npt.NDArray[np.float64]]] = []
    for detection in pooled:
        box = np.array([detection["box"][k] for k in ("x1", "y1", "x2", "y2")], dtype=np.float64)
        class_id = COCO_NAMES.index(fixes.get(detection["class"], detection["class"]))
        verdicts = [_relation(box, other, class_id == other_id) for other_id, other in kept]
        if "nested" in verdicts:
            # The same object twice, once whole and once in part: keep the whole one.
            at = verdicts.index("nested")
            if _area(box) > _area(kept[at][1]):
                kept[at] = (class_id, box)
        elif "overlap" not in verdicts:
            kept.append((class_id, box))
    return kept, predictions[0].image_size


def _relation(
    box: npt.NDArray[np.float64], other: npt.NDArray[np.float64], same_class: bool
) -> str:
    inter_wh = np.clip(np.minimum(box[2:], other[2:]) - np.maximum(box[:2], other[:2]), 0, None)
    inter = float(inter_wh.prod())
    if same_class and inter > CONTAINED * min(_area(box), _area(other)):
        return "nested"
    if inter / (_area(box) + _area(other) - inter) > MERGE_IOU:
        return "overlap"
    return "apart"


def _area(box: npt.NDArray[np.float64]) -> float:
    return float(np.prod(box[2:] - box[:2]))


def label_text(kept: list[tuple[int, npt.NDArray[np.float64]]], size: tuple[int, int]) -> str:
    width, height = size
    lines = []
    for class_id, (x1, y1, x2, y2) in kept:
        cx, cy = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height
        w, h = (x2 - x1) / width, (y2 - y1) / height
        lines.append(f"{class_id} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    return "".join(line + "\n" for line in lines)


def data_yaml() -> str:
    names = "".join(f"  {i}: {name}\n" for i, name in enumerate(COCO_NAMES))
    return (
        "# Darknet's sample photos with pseudo-labels from ulmock's bundled YOLOv3-tiny\n"
        "# (tools/pseudo_labels.py); class ids are COCO's, as Ultralytics numbers them.\n"
        "# No `path:` key, so Ultralytics resolves train/val next to this file.\n"
        "train: images\nval: images\n"
        f"nc: {len(COCO_NAMES)}\nnames:\n{names}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    ensure_bundled_model()
    wanted = {DATASET / "data.yaml": data_yaml()}
    with InferenceEngine() as engine:
        for image in sorted((DATASET / "images").glob("*.jpg")):
            kept, size = merged_detections(engine, image)
            wanted[DATASET / "labels" / f"{image.stem}.txt"] = label_text(kept, size)
            print(image.name, [COCO_NAMES[c] for c, _ in kept])
    stale = [
        path for path, text in wanted.items() if not path.is_file() or path.read_text() != text
    ]
    if args.check:
        for path in stale:
            print(f"differs: {path.relative_to(DATASET)}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
