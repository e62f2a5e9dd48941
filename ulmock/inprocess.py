"""An HTTP client that calls the ASGI app in the calling thread: no socket, no thread hop.

starlette's TestClient starts a thread and an event loop for every request made outside
`with client:` (about 8 ms each); this transport keeps one loop and runs each request on
it to completion, so a call costs what the app costs plus httpx's own bookkeeping.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any
from urllib.parse import unquote

import httpx2

Message = dict[str, Any]


class InProcessTransport(httpx2.BaseTransport):
    def __init__(self, app: Any, client: tuple[str, int] = ("testclient", 50000)):
        self.app = app
        self.client = client
        self._loop = asyncio.new_event_loop()
        self._helper: concurrent.futures.ThreadPoolExecutor | None = None

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        # The raw list: `multi_items()` decodes every header and works out the encoding
        # again for each one; these are the bytes that would go on the wire.
        headers = [(name.lower(), value) for name, value in request.headers.raw]
        if not any(name == b"host" for name, _ in headers):
            headers.insert(0, (b"host", url.netloc))
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "root_path": "",
            "scheme": url.scheme,
            "query_string": url.query,
            "headers": headers,
            "client": self.client,
            "server": [url.host, url.port or {"https": 443}.get(url.scheme, 80)],
            "extensions": {},
            "state": {},
        }
        status, response_headers, body = self._run(scope, request.read())
        if body and not any(name == b"content-length" for name, _ in response_headers):
            # `content=` adds the Content-Length header the answer lacks.
            return httpx2.Response(status, headers=response_headers, content=body, request=request)
        # What `content=` does otherwise, less its header-by-header check for a
        # Content-Length that is already there.
        response = httpx2.Response(status, headers=response_headers, stream=httpx2.ByteStream(body), request=request)
        response.read()
        return response

    def _run(self, scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the usual case: a plain (sync) test
            return self._loop.run_until_complete(self._call(scope, body))
        # Called from inside a running loop (an async test): that loop cannot be nested.
        if self._helper is None:
            self._helper = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ulmock-inprocess")
        return self._helper.submit(asyncio.run, self._call(scope, body)).result()

    async def _call(self, scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        sent_body = False
        answered = False
        done: asyncio.Event | None = None  # made only for an app that reads on after the body
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent_body, done
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            if not answered:  # the client is there until the answer is complete
                done = done or asyncio.Event()
                await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers, answered
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                if scope["method"] != "HEAD":
                    chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered = True
                    if done is not None:
                        done.set()

        await self.app(scope, receive, send)
        return status, headers, b"".join(chunks)

    def close(self) -> None:
        if self._helper is not None:
            self._helper.shutdown()
        if not self._loop.is_closed():
            self._loop.close()


class InProcessClient(httpx2.Client):
    """httpx2's client, remembering how it joined each relative URL to `base_url`.

    Parsing the path and then the joined URL is a third of what httpx2 spends on a
    call; a test asks for the same few paths again and again. URLs are immutable, so
    a remembered one is the very value httpx2 would build.
    """

    MERGED_URLS = 1024  # distinct paths remembered; past that, the rest are parsed each time

    def __init__(self, **options: Any):
        super().__init__(**options)
        # (the base_url they were joined to, relative URL -> joined URL)
        self._merged: tuple[httpx2.URL | None, dict[str, httpx2.URL]] = (None, {})

    def _merge_url(self, url: httpx2.URL | str) -> httpx2.URL:
        if type(url) is not str:
            return super()._merge_url(url)
        base, merged_urls = self._merged
        if base is not self.base_url:  # base_url was set again (a new URL): a new memo
            base, merged_urls = self._merged = (self.base_url, {})
        merged = merged_urls.get(url)
        if merged is None:
            merged = super()._merge_url(url)
            if len(merged_urls) < self.MERGED_URLS:
                merged_urls[url] = merged
        return merged


def in_process_client(app: Any, base_url: str, headers: dict[str, str] | None = None) -> httpx2.Client:
    """A client for `app` as starlette's TestClient would make it (redirects followed)."""
    return InProcessClient(
        transport=InProcessTransport(app),
        base_url=base_url,
        headers={"user-agent": "testclient", **(headers or {})},
        follow_redirects=True,
    )
