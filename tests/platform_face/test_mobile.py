"""Mobile import links through the official client: a bearer link, resolved without a key."""

from __future__ import annotations

import httpx
import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")
MODEL = ("lena", "backyard-birds", "feeder-cam")


def completed(client: Platform, ulmock: Ulmock, fmt: str) -> str:
    ident = client.exports.create(*MODEL, format=fmt)["id"]
    ulmock.clock.advance(600)
    assert client.exports.retrieve(*MODEL, ident)["export"]["status"] == "completed"
    return ident


def fragment(link: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in link.split("#", 1)[1].split("&"))


def test_a_link_resolves_to_a_download_without_a_key(client: Platform, ulmock: Ulmock) -> None:
    ident = completed(client, ulmock, "coreml")
    link = typed("ExportsMobileResponse", client.exports.mobile(*MODEL, ident))
    assert f"/{ident}#" in link["importUrl"]
    signed = fragment(link["importUrl"])
    with Platform(api_key="", base_url=ulmock.url, max_retries=0) as app:  # the phone has no key
        model = typed(
            "ExportsResolveMobileResponse",
            app.exports.resolve_mobile(ident, expires=int(signed["expires"]), signature=signed["signature"]),
        )
    assert (model["exportId"], model["format"], model["name"], model["version"]) == (ident, "coreml", "feeder-cam", 1)
    assert model["expiresAt"] == link["expiresAt"]
    download = httpx.get(model["downloadUrl"])
    assert download.status_code == 200 and len(download.content) == model["size"] > 0


def test_a_tampered_or_expired_link_is_refused(client: Platform, ulmock: Ulmock) -> None:
    ident = completed(client, ulmock, "litert")
    signed = fragment(client.exports.mobile(*MODEL, ident)["importUrl"])
    with Platform(api_key="", base_url=ulmock.url, max_retries=0) as app:
        refused(
            lambda: app.exports.resolve_mobile(
                ident, expires=int(signed["expires"]) + 60, signature=signed["signature"]
            ),
            403,
        )
        refused(
            lambda: app.exports.resolve_mobile("f" * 24, expires=int(signed["expires"]), signature=signed["signature"]),
            403,
        )
        refused(lambda: app.exports.resolve_mobile("nope", expires=1, signature="x"), 400)
        ulmock.clock.advance(24 * 3600 + 1)
        body = refused(
            lambda: app.exports.resolve_mobile(ident, expires=int(signed["expires"]), signature=signed["signature"]),
            403,
        )
        assert "expired" in body["error"]


def test_only_completed_mobile_formats_get_a_link(client: Platform, stranger: Platform, ulmock: Ulmock) -> None:
    onnx = completed(client, ulmock, "onnx")
    refused(lambda: client.exports.mobile(*MODEL, onnx), 400)
    queued = client.exports.create(*MODEL, format="coreml")["id"]
    refused(lambda: client.exports.mobile(*MODEL, queued), 409)
    refused(lambda: stranger.exports.mobile(*MODEL, onnx), 404)
    refused(lambda: client.exports.mobile(*MODEL, "0" * 24), 404)
