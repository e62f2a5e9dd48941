"""An image of a dataset as the live face shows it: its public id, what a view shows of its
file, and an hour's signed download (every answer that shows an image goes through these)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from ulmock.api.files import signed_urls
from ulmock.api.operations import Call
from ulmock.api.platform.ids import public_id
from ulmock.api.platform.vocabulary import Split
from ulmock.domain.entities import Dataset, DatasetImage
from ulmock.domain.grants import grant


def image_id(dataset: Dataset, image: DatasetImage) -> str:
    return public_id(f"{dataset.id}/{image.file}")


def extension(name: str) -> str:
    """A file name's extension in lower case, as every view of an image shows it (the name itself when it has none)."""
    return name.rsplit(".", 1)[-1].lower()


class ImageFile(TypedDict):
    """What a list's row and an image's own properties show of its file, under the same keys."""

    id: str
    hash: str
    width: int
    height: int
    split: Split
    bytes: NotRequired[int]


def image_file(call: Call, dataset: Dataset, image: DatasetImage) -> ImageFile:
    blob = call.platform.world.blobs.get(image.blob_id)
    shown = ImageFile(
        id=image_id(dataset, image),
        hash=blob.sha256 if blob else "",
        width=image.width,
        height=image.height,
        split=image.split,
    )
    if blob is not None:
        shown["bytes"] = blob.size
    return shown


def signed_url(call: Call, dataset: Dataset, image: DatasetImage) -> str:
    """An hour's signed download of one of the dataset's images (every answer of this face that shows one)."""
    w = call.platform.world
    download = grant(call.platform.datasets.image_blob(dataset, image), w.now())
    return signed_urls.url(w.signer, download, call.base_url)
