"""Hostile input: every answer is a clear 4xx envelope, nothing is stored, nothing is a 500.

Oversized bodies, deep nesting, wrong content types, bytes that are no UTF-8, NaN and
overflowing numbers, traversal in signed-file paths and ids, CR/LF in names, and
Unicode that is odd but valid (which must round-trip exactly). One live server serves
the whole module; a fixture checks that each test left the stored counts as they were.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import unlimited_emulator
from ulmock.api.app import create_app
from ulmock.scenarios import fixed_key
from ulmock.server import SERVERS, ServerThread

CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "VALIDATION_ERROR",
    413: "VALIDATION_ERROR",
}


def refused(r: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["success"] is False and body["error"]["code"] == CODES[r.status_code], body
    assert "Traceback" not in r.text
    return body["error"]  # type: ignore[no-any-return]


class World:
    """One live emulator for the whole module: what is sent here must not change it."""

    def __init__(self, url: str, api_key: str):
        self.url, self.api_key = url, api_key
        self.client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30)


@pytest.fixture(scope="module", params=SERVERS)
def ulmock(request: pytest.FixtureRequest) -> Iterator[World]:
    """Once per HTTP server: raw bytes are where servers differ most."""
    emulator = unlimited_emulator()
    with ServerThread(create_app(emulator), server=request.param) as server:
        world = World(server.url, fixed_key("ci-user"))
        yield world
        world.client.close()


def counts(ulmock: Any) -> tuple[int, int, int, int]:
    c = ulmock.client
    return tuple(
        c.get(p).json()["meta"]["total"] for p in ("/api/datasets", "/api/projects", "/api/models", "/api/api-keys")
    )  # type: ignore[return-value]


@pytest.fixture
def stored(ulmock: Any):  # type: ignore[no-untyped-def]
    """Asserts after the test that nothing was created by what it sent."""
    before = counts(ulmock)
    yield ulmock
    assert counts(ulmock) == before


def raw_exchange(ulmock: Any, request: bytes) -> str:
    """Send bytes as they are (no client to tidy them up); the answer, head and body."""
    url = urlsplit(ulmock.url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        s.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode("latin-1")


def _length(answer: bytes) -> int:
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def post_raw(ulmock: Any, path: str, content: bytes, ctype: str | None = "application/json") -> httpx.Response:
    headers = {"content-type": ctype} if ctype else {}
    return ulmock.client.post(path, content=content, headers=headers)


# -- size ------------------------------------------------------------------------------


def test_json_body_over_its_limit_is_413(stored: Any) -> None:
    big = json.dumps({"name": "x", "task": "detect", "description": "a" * (1024 * 1024 + 10)}).encode()
    err = refused(post_raw(stored, "/api/datasets", big), 413)
    assert "too large" in err["message"]


def test_declared_length_over_the_server_limit_is_refused_unread(stored: Any) -> None:
    """A client that announces 600 MB gets 413 at once, before sending a byte of it."""
    head = raw_exchange(
        stored,
        b"POST /api/datasets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + stored.api_key.encode()
        + b"\r\nContent-Type: application/json\r\nContent-Length: 600000000\r\n\r\n{",
    )
    assert head.startswith("HTTP/1.1 413"), head[:200]
    assert "application/json" in head and '"success":false' in head


def test_bad_content_length_is_400(stored: Any) -> None:
    head = raw_exchange(stored, b"POST /api/datasets HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n")
    assert head.startswith("HTTP/1.1 400"), head[:200]


# -- shape and encoding ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [50, 5_000, 200_000])
def test_deep_nesting(stored: Any, depth: int) -> None:
    body = ('{"name": "deep", "task": "detect", "x": ' + "[" * depth + "]" * depth + "}").encode()
    r = post_raw(stored, "/api/datasets", body)
    if depth == 50:  # harmless: the unknown field is ignored
        assert r.status_code == 201
        stored.client.delete(f"/api/datasets/{r.json()['data']['id']}")
        stored.client.post("/api/trash/empty")
    else:
        refused(r, 400, 413)


@pytest.mark.parametrize(
    "ctype",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json; charset=latin-1; boundary=\r\n",
    ],
)
def test_wrong_content_types(stored: Any, ctype: str | None) -> None:
    body = b'{"name": "typed", "task": "detect"}'
    if ctype is not None and "\r\n" in ctype:
        with pytest.raises(httpx.LocalProtocolError):  # the client itself refuses to send it
            post_raw(stored, "/api/datasets", body, ctype)
        return
    refused(post_raw(stored, "/api/datasets", body, ctype), 400)


def test_json_sent_to_a_multipart_operation(stored: Any) -> None:
    refused(post_raw(stored, "/api/models", b'{"projectId": "x", "name": "m"}'), 400)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\xff\xfe", "task": "detect"}',
        b"\xef\xbb\xbf" + b"\x80" * 10,
        b'{"name": "caf\xe9", "task": "detect"}',
        '{"name": "x", "task": "detect"}'.encode("utf-16"),
    ],
)
def test_bytes_that_are_not_utf8(stored: Any, raw: bytes) -> None:
    refused(post_raw(stored, "/api/datasets", raw), 400)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_nan_and_infinite_numbers(stored: Any, number: str) -> None:
    refused(post_raw(stored, "/api/billing/checkout-session", f'{{"amount": {number}}}'.encode()), 400)
    body = f'{{"name": "n", "task": "detect", "extra": {number}}}'.encode()
    refused(post_raw(stored, "/api/datasets", body), 400)


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "\\ud800", "task": "detect"}',
        '{"name": "ok\\udfff", "task": "detect"}',
        '{"name": "x", "task": "detect", "note": "\\udbff"}',
    ],
)
def test_unpaired_surrogates(stored: Any, body: str) -> None:
    refused(post_raw(stored, "/api/datasets", body.encode()), 400)
    assert stored.client.get("/api/datasets").status_code == 200  # and listing still renders


@pytest.mark.parametrize("body", [b"[]", b"null", b'"name"', b"42", b"{", b'{"name": "x", "task": "detect"} trailing'])
def test_not_an_object(stored: Any, body: bytes) -> None:
    refused(post_raw(stored, "/api/datasets", body), 400)


# -- names: control characters, header injection, Unicode oddities ---------------------------


@pytest.mark.parametrize(
    "name",
    ["a\r\nSet-Cookie: x=1", "line\nbreak", "nul\x00byte", "tab\tname", "\x1b[31mred", "del\x7f", "   ", ""],
)
@pytest.mark.parametrize("path", ["/api/datasets", "/api/projects", "/api/api-keys"])
def test_control_characters_in_names(stored: Any, name: str, path: str) -> None:
    err = refused(stored.client.post(path, json={"name": name, "task": "detect"}), 400)
    assert "name" in (err.get("details") or {}) or "name" in err["message"]


def test_crlf_in_multipart_fields(stored: Any) -> None:
    project = stored.client.get("/api/projects").json()["data"][0]["id"]
    files = {"file": ("evil\r\nX-Injected: 1.pt", b"not a model", "application/octet-stream")}
    r = stored.client.post("/api/models", data={"projectId": project, "name": "a\r\nX-Injected: 1"}, files=files)
    refused(r, 400)


@pytest.mark.parametrize(
    "name",
    [
        "\u202eevil\u202c.exe",
        "zero\u200bwidth\u200djoiner",
        "e\u0301\u0301\u0301",
        "\U0001f600" * 100,
        "Ω≈ç√∫",
        "\u00a0nbsp inside\u00a0x",
        "日本語のデータ",
        "\ufeffbom",
        "a\u2028b",
    ],
)
def test_odd_but_valid_unicode_round_trips(ulmock: Any, name: str) -> None:
    r = ulmock.client.post("/api/datasets", json={"name": name, "task": "detect"})
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    assert created["name"] == name.strip()
    assert created["slug"] and all(ch.isascii() for ch in created["slug"])
    fetched = ulmock.client.get(f"/api/datasets/{created['id']}").json()["data"]
    assert fetched["name"] == created["name"]


def test_names_over_the_limit_in_code_points(stored: Any) -> None:
    refused(stored.client.post("/api/projects", json={"name": "\U0001f600" * 101}), 400)


# -- paths: traversal in ids and signed-file URLs -------------------------------------------


@pytest.mark.parametrize(
    "ident",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "%2e%2e%2f%2e%2e%2fapi-keys",
        "%00",
        "dataset_x%0d%0aSet-Cookie:%20a",
        "..%5c..%5cwindows",
        "%ff%fe",
        "a" * 5000,
    ],
)
def test_traversal_and_junk_in_ids(stored: Any, ident: str) -> None:
    for path in (f"/api/datasets/{ident}", f"/api/projects/{ident}", f"/api/models/{ident}/files"):
        refused(stored.client.get(path), 404)
    refused(stored.client.delete(f"/api/datasets/{ident}"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/files/..%2F..%2Fetc%2Fpasswd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/models/x/..%2F..%2F..%2Fetc%2Fpasswd",
        "/files/datasets/x/images/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/files/datasets/x/images/%2e%2e/%2e%2e/pyproject.toml",
        "/files/gdpr/..%2F..%2F/x.json",
        "/files/datasets/x/%00.ndjson",
    ],
)
def test_traversal_in_signed_file_paths(ulmock: Any, path: str) -> None:
    r = httpx.get(ulmock.url + path + "?expires=99999999999&signature=abc", timeout=30)
    refused(r, 403, 404)
    assert b"root:" not in r.content and b"[project]" not in r.content


def test_a_signed_url_cannot_be_walked_out_of(ulmock: Any) -> None:
    dataset = next(d for d in ulmock.client.get("/api/datasets").json()["data"] if d["imageCount"])
    exported = ulmock.client.post(f"/api/datasets/{dataset['id']}/export").json()["data"]
    url = exported.get("downloadUrl") or exported.get("url")
    assert httpx.get(url, timeout=30).status_code == 200
    base, _, query = url.partition("?")
    for evil in ("/../../../../etc/passwd", "/..%2F..%2Fpyproject.toml", "%2F..%2F..%2Fsecret"):
        r = httpx.get(base + evil + "?" + query, timeout=30)
        refused(r, 403, 404)


# -- query strings and headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=1.5",
        "page=%00",
        "limit=101",
        "limit=1e3",
        "limit=",
        "task=%ff",
        "page=99999999999999999999999999999999999999999999x",
        "task=detect%00",
    ],
)
def test_bad_query_values(stored: Any, query: str) -> None:
    refused(stored.client.get("/api/datasets?" + query), 400)


def test_huge_page_number_is_an_empty_page(ulmock: Any) -> None:
    r = ulmock.client.get("/api/datasets", params={"page": 10**30})
    assert r.status_code == 200 and r.json()["data"] == []


@pytest.mark.parametrize(
    "auth",
    [
        "Bearer",
        "Bearer  x",
        "Basic dXNlcjpwYXNz",
        "Bearer ul_" + "g" * 40,
        "Bearer ul_" + "A" * 40,
        "Bearer ul_" + "0" * 40 + "0",
        "bearer  ul_" + "0" * 40,
        "Bearer ul_é" + "0" * 39,
    ],
)
def test_malformed_authorization(ulmock: Any, auth: str) -> None:
    r = httpx.get(ulmock.url + "/api/datasets", headers={"Authorization": auth.encode("utf-8")}, timeout=30)
    refused(r, 401)


def test_unknown_methods_and_routes(stored: Any) -> None:
    for method in ("PATCH", "PUT", "TRACE", "PROPFIND"):
        r = stored.client.request(method, "/api/datasets")
        refused(r, 405)
    refused(stored.client.get("/api/../api/datasets/../../etc/passwd"), 404)
    refused(stored.client.get("/api/%2e%2e/%2e%2e/etc/passwd"), 404)


# -- issue 11: each of these reached a 500 -----------------------------------------------------

SIG = "0" * 64


def _a_model_file_path(ulmock: Any) -> str:
    model = ulmock.client.get("/api/models").json()["data"][0]
    return f"/files/models/{model['id']}/best.pt"


@pytest.mark.parametrize(
    "query",
    [
        "expires=%C2%B2&signature=" + SIG,
        "expires=" + "9" * 5000 + "&signature=" + SIG,
        "expires=99999999999&signature=%C3%A9",
        "expires=99999999999&signature=" + "%C3%A9" * 64,
        "expires=%EF%BC%91&signature=" + SIG,
        "expires=1e9&signature=" + SIG,
        "expires=&signature=",
        "expires=99999999999&signature=" + SIG.upper(),
        "expires=99999999999&signature=%00",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "model",
        "/files/datasets/x/x.ndjson",
        "/files/gdpr/x/x.json",
        "/files/exports/x/x.onnx",
        "/files/datasets/x/images/a.jpg",
    ],
)
def test_odd_expiry_and_signature_on_every_signed_route(stored: Any, query: str, path: str) -> None:
    target = _a_model_file_path(stored) if path == "model" else path
    refused(httpx.get(f"{stored.url}{target}?{query}", timeout=30), 403)


@pytest.mark.parametrize("query", ["expires=%C2%B2&signature=" + SIG, "expires=99999999999&signature=%C3%A9"])
def test_odd_expiry_and_signature_on_the_upload_url(stored: Any, query: str) -> None:
    refused(httpx.put(f"{stored.url}/files/uploads/m/r/best.pt?{query}", content=b"x", timeout=30), 403)


def test_a_text_field_named_file_on_model_upload_and_predict(stored: Any) -> None:
    project = stored.client.get("/api/projects").json()["data"][0]["id"]
    model = stored.client.get("/api/models").json()["data"][0]["id"]
    other = {"other": ("x.bin", b"x", "application/octet-stream")}
    r = stored.client.post("/api/models", data={"projectId": project, "name": "m", "file": "not a file"}, files=other)
    assert "file" in refused(r, 400)["message"]
    r = stored.client.post(f"/api/models/{model}/predict", data={"file": "not an image"}, files=other)
    assert "file" in refused(r, 400)["message"]


def _upload(ulmock: Any, filename: str, content: bytes) -> dict[str, Any]:
    project = ulmock.client.get("/api/projects").json()["data"][0]["id"]
    r = ulmock.client.post(
        "/api/models",
        data={"projectId": project, "name": f"odd-{len(filename)}"},
        files={"file": (filename, content, "application/octet-stream")},
    )
    assert r.status_code == 201, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def _forget(ulmock: Any, model: dict[str, Any]) -> None:
    ulmock.client.delete(f"/api/models/{model['id']}")
    ulmock.client.post("/api/trash/empty")


def _checkpoint() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
    return buf.getvalue()


@pytest.mark.parametrize("filename", ["名前.pt", "a#b.pt", "a?b.pt", "a%b.pt", "a b.pt", 'a;b".pt', "é.pt"])
def test_odd_model_file_names_download_for_their_owner(ulmock: Any, filename: str) -> None:
    """Non-Latin-1 names need RFC 5987's filename*; `#` and `?` must not cut the signed path."""
    content = _checkpoint()
    model = _upload(ulmock, filename, content)
    try:
        files = ulmock.client.get(f"/api/models/{model['id']}/files").json()["data"]["files"]
        r = httpx.get(files[0]["downloadUrl"], timeout=30)
        assert r.status_code == 200, r.text
        assert r.content == content
        disposition = r.headers["content-disposition"]
        assert disposition.isascii() and "filename*=UTF-8''" in disposition
    finally:
        _forget(ulmock, model)


def test_a_300_character_onnx_name_still_predicts(ulmock: Any, tmp_path: Any) -> None:
    import io

    from PIL import Image

    from tests.inference.onnx_models import channels_first, constant_detector

    answer = channels_first([[32, 32, 20, 10, 0.9, 0.1]])
    onnx_file = constant_detector(tmp_path / "w.onnx", answer, names={0: "widget", 1: "gadget"})
    model = _upload(ulmock, "w" * 295 + ".onnx", onnx_file.read_bytes())
    try:
        image = io.BytesIO()
        Image.new("RGB", (64, 64), (90, 90, 90)).save(image, "PNG")
        r = ulmock.client.post(f"/api/models/{model['id']}/predict", files={"file": ("i.png", image.getvalue())})
        assert r.status_code == 200, r.text
        assert [p["class"] for p in r.json()["predictions"]] == ["widget"]
    finally:
        _forget(ulmock, model)


@pytest.mark.parametrize(
    "url",
    [
        "http://user@example.com/",
        "http://user:pw@example.com/hook",
        "https://:pw@example.com/",
        "http:///path",
        "http://",
        "https://:80/x",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://exa mple.com/",
        "ftp://example.com/",
        "http://example.com/\nx",
        "//example.com/",
        "http://example.com/#frag",
        "javascript:x",
    ],
)
def test_webhook_urls_with_credentials_or_without_a_host_are_refused(stored: Any, url: str) -> None:
    control = f"{stored.url}/_ulmock/webhooks"
    before = len(httpx.get(control, timeout=30).json()["data"])
    refused(httpx.post(control, json={"url": url}, timeout=30), 400)
    assert len(httpx.get(control, timeout=30).json()["data"]) == before
