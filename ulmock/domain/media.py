"""File suffixes and their media types: one table, so no caller asks HTTP or the OS.

The stdlib's `mimetypes` would read the machine's own `mime.types` (Python 3.11 knows no
`.webp` without one), so the answer would vary by machine; this table does not.
"""

from __future__ import annotations

IMAGE_MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
}
IMAGE_SUFFIXES = tuple(IMAGE_MEDIA_TYPES)
# What /files serves besides images: dataset exports and JSON documents.
MEDIA_TYPES = {**IMAGE_MEDIA_TYPES, ".json": "application/json", ".ndjson": "application/x-ndjson"}
OCTET_STREAM = "application/octet-stream"


def image_media_type(name: str) -> str:
    """`image/...` for a file name with an image suffix (any case), else octet-stream."""
    dot = name.rfind(".")
    return IMAGE_MEDIA_TYPES.get(name[dot:].lower(), OCTET_STREAM) if dot >= 0 else OCTET_STREAM


def media_type(name: str) -> str:
    """The media type /files answers a download of `name` with."""
    dot = name.rfind(".")
    return MEDIA_TYPES.get(name[dot:].lower(), OCTET_STREAM) if dot >= 0 else OCTET_STREAM
