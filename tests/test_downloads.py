"""Grants (the domain's) become signed /files URLs (api/files/signed_urls.py's), and back."""

from __future__ import annotations

import pytest

from ulmock.api.files import signed_urls
from ulmock.domain.backend import Platform
from ulmock.domain.catalogue import usd_to_micro
from ulmock.domain.clock import Clock
from ulmock.domain.errors import NotFound, ValidationError
from ulmock.domain.grants import BlobRef, grant

NOW = 1_800_000_000.5


@pytest.fixture
def platform():
    return Platform(Clock(start=NOW), seed=1)


@pytest.mark.parametrize(
    ("blob", "path"),
    [
        (BlobRef("model", "m1", "best.pt"), "/files/models/m1/best.pt"),
        (BlobRef("dataset", "d1", "pets.v2.ndjson"), "/files/datasets/d1/pets.v2.ndjson"),
        (BlobRef("dataset_image", "d1", "a/b.jpg"), "/files/datasets/d1/images/a/b.jpg"),
        (BlobRef("export", "e1", "best.onnx"), "/files/exports/e1/best.onnx"),
        (BlobRef("gdpr", "g1", "ann-data-export.json"), "/files/gdpr/g1/ann-data-export.json"),
        (BlobRef("upload", "u1", "data.zip"), "/files/uploads/sessions/u1/data.zip"),
        (BlobRef("checkpoint", "m1", "last.pt", 3), "/files/uploads/m1/3/last.pt"),
    ],
)
def test_each_kind_of_file_has_its_path(blob, path):
    assert signed_urls.path(blob) == path


def test_a_grant_signs_as_the_signer_did(platform):
    signer = platform.world.signer
    blob = BlobRef("model", "m1", "best weights.pt")
    g = grant(blob, NOW, 3600)
    assert g.expires_at == float(int(NOW + 3600))
    assert signed_urls.signed(signer, g) == signer.sign(signed_urls.path(blob), NOW, 3600)
    assert signed_urls.url(signer, g, "http://x/").startswith("http://x/files/models/m1/best%20weights.pt?expires=")
    assert signed_urls.signed(signer, None) is None


def test_only_dataset_image_paths_parse_back():
    assert signed_urls.parse_image("/files/datasets/d1/images/a/b.jpg") == BlobRef("dataset_image", "d1", "a/b.jpg")
    assert signed_urls.parse_image("/files/models/m1/best.pt") is None


def test_usd_to_micro_rounds_to_the_nearest():
    assert usd_to_micro(2.01) == 2_010_000  # int(2.01 * 1e6) is 2,009,999
    assert usd_to_micro(0.29) == 290_000
    assert usd_to_micro(5) == 5_000_000


def test_the_default_account_is_the_oldest_not_deleted(platform):
    with pytest.raises(ValidationError):
        platform.accounts.named_or_default(None, "attach the webhook to")
    assert platform.accounts.default() is None
    ann, _ = platform.accounts.create("ann", "free")
    bob, _ = platform.accounts.create("bob", "free")
    assert platform.accounts.default() is ann
    assert platform.accounts.named_or_default("bob", "x") is bob
    with pytest.raises(NotFound):
        platform.accounts.named_or_default("cyd", "x")
    ann.deleted = True
    assert platform.accounts.default() is bob
