"""Reading an uploaded dataset: a .zip or .tar(.gz) of YOLO images and labels, or NDJSON.

A YOLO archive holds images anywhere (`images/train/a.jpg`, `a.jpg`) and, for each, a
label file with the same stem (`labels/train/a.txt`: one `cls cx cy w h` line per box);
`data.yaml` names the classes. The split comes from a `train`, `val`/`valid` or `test`
folder in the path. NDJSON is the Platform's own export format: a dataset line, then
one line per image whose `url` this emulator signed (other URLs cannot be fetched here).

Only facts come out: images with their bytes, boxes and split, the classes, and what
was skipped and why. Nothing here touches the world.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import yaml

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024


class ArchiveError(Exception):
    """The upload cannot be read at all (the reason is shown to the user)."""


@dataclass
class ParsedImage:
    name: str
    data: bytes
    width: int
    height: int
    split: str
    boxes: list[list[float]]


@dataclass
class ParsedDataset:
    images: list[ParsedImage] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


# Resolves an NDJSON image URL to bytes this emulator holds (None: not ours, or not valid).
UrlReader = Callable[[str], bytes | None]


def parse_upload(filename: str, data: bytes, read_url: UrlReader) -> ParsedDataset:
    name = filename.lower()
    if name.endswith(".ndjson"):
        return _ndjson(data, read_url)
    if name.endswith(".zip"):
        return _yolo(_zip_members(data))
    if name.endswith((".tar", ".tar.gz", ".tgz")):
        return _yolo(_tar_members(data))
    raise ArchiveError(f"Unsupported file type: {filename}")


def _zip_members(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > MAX_MEMBERS:
                raise ArchiveError(f"Archive has more than {MAX_MEMBERS} files")
            return {i.filename: archive.read(i) for i in infos if i.file_size <= MAX_MEMBER_BYTES}
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise ArchiveError(f"Not a readable zip archive: {exc}") from None


def _tar_members(data: bytes) -> dict[str, bytes]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            if len(members) > MAX_MEMBERS:
                raise ArchiveError(f"Archive has more than {MAX_MEMBERS} files")
            out: dict[str, bytes] = {}
            for m in members:
                handle = archive.extractfile(m) if m.size <= MAX_MEMBER_BYTES else None
                if handle is not None:
                    out[m.name] = handle.read()
            return out
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"Not a readable tar archive: {exc}") from None


def _split_of(path: PurePosixPath) -> str:
    parts = {p.lower() for p in path.parts[:-1]}
    if "val" in parts or "valid" in parts or "validation" in parts:
        return "val"
    if "test" in parts:
        return "test"
    return "train"


def _label_key(path: PurePosixPath) -> tuple[str, str]:
    """Images and labels pair on (split, stem): `images/train/a.jpg` ~ `labels/train/a.txt`."""
    return _split_of(path), path.stem


def _yolo(members: dict[str, bytes]) -> ParsedDataset:
    out = ParsedDataset()
    labels: dict[tuple[str, str], bytes] = {}
    images: list[tuple[PurePosixPath, bytes]] = []
    for raw_name, content in members.items():
        path = PurePosixPath(raw_name)
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        suffix = path.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            images.append((path, content))
        elif suffix == ".txt" and path.name not in ("classes.txt", "README.txt"):
            labels[_label_key(path)] = content
        elif path.name in ("data.yaml", "dataset.yaml") and not out.class_names:
            out.class_names = _names(content)
        elif path.name == "classes.txt" and not out.class_names:
            out.class_names = [line.strip() for line in content.decode("utf-8", "replace").splitlines() if line.strip()]
    if not images:
        raise ArchiveError("No images found in the archive (expected .jpg, .jpeg, .png, .webp or .bmp files)")
    for path, content in sorted(images, key=lambda pc: str(pc[0])):
        size = _image_size(content)
        if size is None:
            out.skipped["unreadable_image"] += 1
            continue
        boxes = _boxes(labels.get(_label_key(path), b""), out)
        if boxes is None:
            out.skipped["invalid_label"] += 1
            continue
        out.images.append(ParsedImage(path.name, content, size[0], size[1], _split_of(path), boxes))
    return out


def _names(content: bytes) -> list[str]:
    try:
        meta = yaml.safe_load(content.decode("utf-8", "replace")) or {}
    except yaml.YAMLError:
        return []
    names = meta.get("names", []) if isinstance(meta, dict) else []
    if isinstance(names, dict):
        return [str(names[k]) for k in sorted(names)]
    return [str(n) for n in names] if isinstance(names, list) else []


def _boxes(content: bytes, out: ParsedDataset) -> list[list[float]] | None:
    boxes: list[list[float]] = []
    for line in content.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if not parts:
            continue
        try:
            cls, coords = int(parts[0]), [float(v) for v in parts[1:5]]
        except ValueError:
            return None
        if len(coords) != 4 or cls < 0 or not all(0.0 <= v <= 1.0 for v in coords):
            return None
        boxes.append([cls, *[round(v, 6) for v in coords]])
    return boxes


def _image_size(content: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError  # here: importing the domain loads no imaging library

    try:
        with Image.open(io.BytesIO(content)) as im:
            im.verify()
            return int(im.size[0]), int(im.size[1])
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def _ndjson(data: bytes, read_url: UrlReader) -> ParsedDataset:
    out = ParsedDataset()
    lines = _json_lines(data)
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("type") != "dataset":
        raise ArchiveError('NDJSON must start with a {"type": "dataset"} line')
    names = header.get("class_names") or {}
    if isinstance(names, dict):
        out.class_names = [str(names[k]) for k in sorted(names, key=lambda k: int(k) if str(k).isdigit() else 0)]
    for line in lines:
        if not isinstance(line, dict) or line.get("type") != "image":
            out.skipped["invalid_line"] += 1
            continue
        url, name = line.get("url"), line.get("file")
        content = read_url(url) if isinstance(url, str) else None
        if content is None or not isinstance(name, str):
            out.skipped["unreachable_url"] += 1
            continue
        size = _image_size(content)
        annotations = line.get("annotations") or {}
        raw_boxes = annotations.get("boxes", []) if isinstance(annotations, dict) else []
        text = "\n".join(" ".join(str(v) for v in box) for box in raw_boxes if isinstance(box, list))
        boxes = _boxes(text.encode(), out)
        if size is None or boxes is None:
            out.skipped["unreadable_image" if size is None else "invalid_label"] += 1
            continue
        split = line.get("split") if line.get("split") in ("train", "val", "test") else "train"
        out.images.append(ParsedImage(PurePosixPath(name).name, content, size[0], size[1], str(split), boxes))
    if not out.images and not out.skipped:
        raise ArchiveError("NDJSON has no image lines")
    return out


def _json_lines(data: bytes) -> Iterator[object]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError("NDJSON is not valid UTF-8") from None
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError:
                raise ArchiveError(f"NDJSON line {n} is not valid JSON") from None
