"""The demo dashboard's routes under `/_ulmock/ui/`: pages, their live parts, images, predict.

Pages are rendered on the server from `readouts`; each page has one live region that
the page's script fetches again every second (`/_ulmock/ui/live/...`) and swaps in when
it changed. Steering buttons call the control API (`/_ulmock/...`) from the page, so
everything the page does a script can do. The only POST here is the playground's
predict, which changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ulmock.api.files import media_type
from ulmock.api.parsing import validate
from ulmock.api.pipeline import ALL_METHODS
from ulmock.api.predictions import IMAGE_LIMIT, infer
from ulmock.api.reference import envelope
from ulmock.api.reference.predict import PredictForm, predictions_response
from ulmock.api.refusals import not_allowed
from ulmock.api.route_index import compiled_route
from ulmock.domain.errors import ApiError, NotFound, Unauthorized, ValidationError
from ulmock.scenarios import bundled_scenarios
from ulmock.ui import readouts
from ulmock.ui.access import PREFIX, admitted, login

if TYPE_CHECKING:
    from jinja2 import Environment

    from ulmock.emulator import Emulator

Page = Callable[[Request], Awaitable[Response]]


@functools.cache
def templates() -> Environment:
    """One template environment per process (apps are made per test; templates compile once)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("ulmock.ui", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "" if v is None else f"{100 * float(v):.1f}%"
    return env


@functools.cache
def static_files() -> StaticFiles:
    """The script and stylesheet, from the package; they hold nothing secret, so no door."""
    return StaticFiles(packages=[("ulmock.ui", "static")])


class Dashboard:
    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def routes(self) -> list[BaseRoute]:
        return [
            compiled_route(PREFIX, self._to_index, methods=["GET"]),
            compiled_route(f"{PREFIX}/", self._page(self.overview), methods=ALL_METHODS),
            compiled_route(f"{PREFIX}/live/overview", self._page(self.overview_live), methods=ALL_METHODS),
            compiled_route(f"{PREFIX}/accounts/{{username}}", self._page(self.account), methods=ALL_METHODS),
            compiled_route(f"{PREFIX}/live/accounts/{{username}}", self._page(self.account_live), methods=ALL_METHODS),
            compiled_route(f"{PREFIX}/datasets/{{datasetId}}", self._page(self.gallery), methods=ALL_METHODS),
            compiled_route(f"{PREFIX}/playground", self._page(self.playground), methods=ALL_METHODS),
            compiled_route(
                f"{PREFIX}/api/datasets/{{datasetId}}/images/{{name:path}}",
                self._api(self.image, "GET"),
                methods=ALL_METHODS,
            ),
            compiled_route(f"{PREFIX}/api/predict", self._api(self.predict, "POST"), methods=ALL_METHODS),
            Mount(f"{PREFIX}/static", app=static_files(), name="ui-static"),
            compiled_route(f"{PREFIX}/{{rest:path}}", self._page(self.missing, any_method=True), methods=ALL_METHODS),
        ]

    # -- the door ----------------------------------------------------------------------
    def _page(self, handler: Page, any_method: bool = False) -> Page:
        async def endpoint(request: Request) -> Response:
            if request.method not in ("GET", "HEAD") and not any_method:
                return envelope.error(not_allowed(request.method, "GET"))
            token = self.emulator.admin_token
            entered = login(request, token)
            if entered is not None:
                return entered
            if not admitted(request, token):
                # Never the token itself in a page for someone who has not shown it.
                return self._render("locked.html", {"wrong": "token" in request.query_params, "admin_token": ""}, 401)
            return await handler(request)

        return endpoint

    def _api(self, handler: Page, method: str) -> Page:
        async def endpoint(request: Request) -> Response:
            try:
                if request.method != method:
                    raise not_allowed(request.method, method)
                if not admitted(request, self.emulator.admin_token):
                    raise Unauthorized("The dashboard needs the admin token: open /_ulmock/ui/?token=<token> once")
                return await handler(request)
            except ApiError as err:
                return envelope.error(err)

        return endpoint

    async def _to_index(self, request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{PREFIX}/{query}", status_code=307)

    def _render(self, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        base = {"prefix": PREFIX, "admin_token": self.emulator.admin_token or ""}
        html = templates().get_template(name).render({**base, **context})
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    # -- pages -------------------------------------------------------------------------
    async def overview(self, request: Request) -> Response:
        scenarios = [{"name": n, "description": d} for n, (_, d) in bundled_scenarios().items()]
        return self._render(
            "overview.html", {"o": readouts.overview(self.emulator), "scenarios": scenarios, "page": "overview"}
        )

    async def overview_live(self, request: Request) -> Response:
        return self._render("overview_live.html", {"o": readouts.overview(self.emulator)})

    async def account(self, request: Request) -> Response:
        return self._account_page(request, "account.html", {"page": "account"})

    async def account_live(self, request: Request) -> Response:
        return self._account_page(request, "account_live.html", {})

    def _account_page(self, request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
        username = request.path_params["username"]
        detail = readouts.account_detail(self.emulator, username)
        if detail is None:
            return self._missing(f"account '{username}'")
        return self._render(template, {"a": detail, **context})

    async def gallery(self, request: Request) -> Response:
        dataset_id = request.path_params["datasetId"]
        shown = readouts.gallery(self.emulator, dataset_id)
        if shown is None:
            return self._missing(f"dataset '{dataset_id}'")
        return self._render("gallery.html", {"g": shown, "page": "gallery"})

    async def playground(self, request: Request) -> Response:
        models = readouts.runnable_models(self.emulator)
        return self._render(
            "playground.html", {"models": models, "chosen": request.query_params.get("model"), "page": "playground"}
        )

    async def missing(self, request: Request) -> Response:
        return self._missing(f"page {request.url.path}")

    def _missing(self, what: str) -> HTMLResponse:
        return self._render("missing.html", {"what": what}, 404)

    # -- data the pages fetch ----------------------------------------------------------
    async def image(self, request: Request) -> Response:
        name = request.path_params["name"]
        data = readouts.image_bytes(self.emulator, request.path_params["datasetId"], name)
        if data is None:
            raise NotFound("No such image", {"name": name})
        # Fixture and uploaded images never change under the same name within a dataset.
        return Response(data, media_type=media_type(name), headers={"Cache-Control": "private, max-age=300"})

    async def predict(self, request: Request) -> Response:
        """multipart: `file`, `modelId` (blank: the bundled network), `conf`, `iou`, `imgsz`."""
        try:
            form = await request.form(max_files=1, max_fields=10)
        except Exception:  # malformed multipart in any of the ways a parser can refuse it
            raise ValidationError("Send multipart/form-data with an image in 'file'", {"file": "required"}) from None
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationError("Send multipart/form-data with an image in 'file'", {"file": "required"})
        image = await upload.read(IMAGE_LIMIT + 1)
        if len(image) > IMAGE_LIMIT:
            raise ValidationError("Image too large", {"file": f"at most {IMAGE_LIMIT} bytes"}, status=413)
        fields = {k: v for k in ("conf", "iou", "imgsz") if isinstance(v := form.get(k), str) and v.strip()}
        options: PredictForm = validate(PredictForm, {"file": image, **fields}, "form field")  # type: ignore[assignment]
        model_file: str | None = None
        model_id = form.get("modelId")
        if isinstance(model_id, str) and model_id.strip():
            found, model_file = readouts.model_file_for(self.emulator, model_id.strip())
            if not found:
                raise NotFound(f"No model '{model_id.strip()}'", {"modelId": model_id.strip()})
        prediction = await infer(self.emulator, image, model_file, options.conf, options.iou, options.imgsz)
        response = predictions_response(prediction)
        response.headers["X-Image-Size"] = "{}x{}".format(*prediction.image_size)
        return response
