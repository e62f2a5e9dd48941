"""Fuzzing the two paths where bytes from anyone reach ulmock without a schema in front:
signed file URLs (no API key; the signature is the authority) and multipart bodies
(model upload, predict).

Whatever arrives, the answer is an error envelope of 4xx (or the file, for a URL that
was really issued), never a 500, and nothing is stored by a refused request.
"""

from __future__ import annotations

import os
import string
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.helpers import auth, unlimited_emulator
from ulmock.api.app import create_app

# More examples for a hunt: ULMOCK_FUZZ_EXAMPLES=2000 pytest tests/contract/test_fuzz_signed_and_multipart.py
FUZZ = settings(
    max_examples=int(os.environ.get("ULMOCK_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def client() -> Any:
    emulator = unlimited_emulator()
    with TestClient(create_app(emulator), headers=auth("ci-user")) as c:
        yield c


def refused(r: Any) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    assert body["success"] is False and body["error"]["code"], body
    assert "Traceback" not in r.text


def counts(client: Any) -> tuple[int, ...]:
    return tuple(client.get(p).json()["meta"]["total"] for p in ("/api/models", "/api/projects", "/api/datasets"))


# -- signed URLs ------------------------------------------------------------------------------

ROUTES = [
    "/files/models/{id}/{name}",
    "/files/datasets/{id}/{name}",
    "/files/datasets/{id}/images/{name}",
    "/files/gdpr/{id}/{name}",
    "/files/exports/{id}/{name}",
]
text = st.text(st.characters(codec="utf-8"), max_size=80)
# Look-alike digits from other scripts, on purpose: an expiry must be ASCII digits, not what int() accepts.
digits = st.text(st.sampled_from("0123456789²³¹٣०１"), min_size=0, max_size=30) | st.integers(-10, 10**40).map(str)  # noqa: RUF001
signature = st.text(st.sampled_from(string.hexdigits + "é\x00 %"), max_size=70) | text


def _q(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@FUZZ
@given(
    route=st.sampled_from(ROUTES),
    ident=text,
    name=text,
    expires=digits | text,
    sig=signature,
    extra=st.dictionaries(text, text, max_size=2),
)
def test_forged_signed_urls_are_refused(
    client: Any, route: str, ident: str, name: str, expires: str, sig: str, extra: dict[str, str]
) -> None:
    path = route.format(id=_q(ident) or "x", name=_q(name) or "x")
    query = "&".join(f"{_q(k)}={_q(v)}" for k, v in {"expires": expires, "signature": sig, **extra}.items())
    refused(client.get(f"{path}?{query}"))


@FUZZ
@given(
    position=st.integers(0, 10_000), replacement=st.sampled_from(["", "%", "%2F", "#", "?", "é", "0", "a", "/", ".."])
)
def test_a_real_signed_url_changed_anywhere_is_refused(client: Any, position: int, replacement: str) -> None:
    model = client.get("/api/models").json()["data"][0]
    dataset = next(d for d in client.get("/api/datasets").json()["data"] if d["imageCount"])
    urls = [
        client.get(f"/api/models/{model['id']}/files").json()["data"]["files"],
        [client.post(f"/api/datasets/{dataset['id']}/export").json()["data"]],
    ]
    for url in [u.get("downloadUrl") or u.get("url") for group in urls for u in group]:
        if not url:
            continue
        original = url.split("://", 1)[1].split("/", 1)[1]
        at = position % len(original)
        changed = "/" + original[:at] + replacement + original[at + 1 :]
        if not urlsplit(changed).path.startswith("/files/"):
            continue  # a `#` or `?` early on leaves no signed route to ask (`/` is the index)
        r = client.get(changed)
        if r.status_code == 200:  # only a spelling of the same URL: %2F for /, an empty parameter
            assert _meaning(changed) == _meaning("/" + original), changed
        else:
            refused(r)


def _meaning(url: str) -> tuple[str, str | None, str | None]:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    return unquote(parts.path), query.get("expires"), query.get("signature")


# -- multipart ---------------------------------------------------------------------------------

field_names = st.sampled_from(["file", "projectId", "name", "task", "conf", "iou", "imgsz"]) | text
part = st.tuples(field_names, st.none() | text, st.none() | text, st.binary(max_size=300))


def multipart(parts: list[tuple[str, str | None, str | None, bytes]], boundary: str) -> bytes:
    """Written by hand, so names and filenames arrive exactly as generated (quotes, CR/LF and all)."""
    out = b""
    for name, filename, ctype, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode("utf-8", "surrogatepass")
        if ctype is not None:
            out += f"Content-Type: {ctype}\r\n".encode("utf-8", "surrogatepass")
        out += b"\r\n" + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@FUZZ
@given(
    parts=st.lists(part, max_size=6),
    boundary=st.text(string.ascii_letters + string.digits + "'()+_,-./:=?", min_size=1, max_size=70),
    target=st.sampled_from(["upload", "predict"]),
)
def test_any_multipart_body_is_refused_cleanly(client: Any, parts: list[Any], boundary: str, target: str) -> None:
    before = counts(client)
    model = client.get("/api/models").json()["data"][0]["id"]
    path = "/api/models" if target == "upload" else f"/api/models/{model}/predict"
    r = client.post(
        path, content=multipart(parts, boundary), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    refused(r)
    assert counts(client) == before


@FUZZ
@given(
    body=st.binary(max_size=2000),
    ctype=st.sampled_from(
        [
            "multipart/form-data; boundary=x",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            'multipart/form-data; boundary="x"; charset=utf-16',
        ]
    ),
)
def test_raw_bytes_as_a_multipart_body_are_refused(client: Any, body: bytes, ctype: str) -> None:
    before = counts(client)
    refused(client.post("/api/models", content=b"--x\r\n" + body, headers={"Content-Type": ctype}))
    assert counts(client) == before


@FUZZ
@given(filename=st.tuples(text, st.sampled_from([".pt", ".pt", ".PT", ""])).map("".join), task=st.none() | text)
def test_any_file_name_on_an_upload_is_stored_and_downloads_or_is_refused(
    client: Any, filename: str, task: str | None
) -> None:
    """A real checkpoint under any name: it is refused cleanly, or stored and downloadable as sent."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
    project = client.get("/api/projects").json()["data"][0]["id"]
    fields: list[tuple[str, str | None, str | None, bytes]] = [
        ("projectId", None, None, project.encode()),
        ("name", None, None, b"fuzzed"),
        ("file", filename, "application/octet-stream", buf.getvalue()),
    ]
    if task is not None:
        fields.append(("task", None, None, task.encode("utf-8", "surrogatepass")))
    r = client.post(
        "/api/models",
        content=multipart(fields, "b0undary"),
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
    )
    if r.status_code != 201:
        refused(r)
        return
    model = r.json()["data"]
    try:
        files = client.get(f"/api/models/{model['id']}/files").json()["data"]["files"]
        download = client.get("/" + files[0]["downloadUrl"].split("://", 1)[1].split("/", 1)[1])
        assert download.status_code == 200, download.text
        assert download.content == buf.getvalue()
        assert download.headers["content-disposition"].isascii()
    finally:
        client.delete(f"/api/models/{model['id']}")
        client.post("/api/trash/empty")
