"""Predicting through a deployment: `POST /api/deployments/{owner}/{deployment}/predict`, and
the deployment's own endpoint, its `serviceUrl`: `POST {serviceUrl}/predict`.

On the Platform each deployment is its own service, called directly with the owner's
API key and outside the API's rate limits. Here `serviceUrl` is
`{ulmock}/endpoints/{deployment's 24-hex id}`; it answers the live predict contract
(errors as `{"error": message}`) whichever face the emulator serves, counts in the
deployment's logs and metrics, and is never counted against a rate limit. Both answer
as `models.predict` does (`ulmock.api.platform.predict`), failures counted too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ulmock.api.operations import Call
from ulmock.api.platform.access import by_public_id, deployment_at, model_served, project_of
from ulmock.api.platform.deployments import STATUS
from ulmock.api.platform.policy import error_response
from ulmock.api.platform.predict import PredictAnswer, answer
from ulmock.api.platform.routes import PREDICT, PlatformRoutes
from ulmock.api.route_index import compiled_route
from ulmock.domain.entities import Deployment
from ulmock.domain.errors import ApiError, InternalError, NotFound, ValidationError

if TYPE_CHECKING:
    from ulmock.emulator import Emulator

routes = PlatformRoutes("Deployments", category="predict")


@routes.post("/api/deployments/{owner}/{deployment}/predict", response=PredictAnswer, errors=PREDICT)
async def predict_deployment(call: Call) -> Response:
    """Run the deployed model on an image (`file`, or `source` URL/base64), counted in its metrics and logs."""
    with call.emulator.lock:
        d = deployment_at(call)
    return await serve(call, d)


async def serve(call: Call, d: Deployment) -> Response:
    """A prediction through deployment `d`, recorded in its logs and metrics, failures included."""
    p, emulator = call.platform, call.emulator
    started = time.perf_counter()
    try:
        with emulator.lock:
            if d.status != "running":
                raise ValidationError(f"Deployment is not ready (status: {STATUS[d.status]})", {"status": d.status})
            model = model_served(call, d)
            if model is None:
                raise ValidationError("The deployed model was deleted", {"model": "deleted"})
            project = project_of(call, model)
        label = f"{call.account.username}/{project.slug if project else '-'}/{model.slug}"
        response, prediction = await answer(emulator, call.request, model, label)
    except ApiError as err:
        with emulator.lock:
            p.deployments.record_request(d, (time.perf_counter() - started) * 1000, ok=False, detail=err.message)
        raise
    with emulator.lock:
        p.deployments.record_request(
            d,
            (time.perf_counter() - started) * 1000,
            ok=True,
            detail=f"{len(prediction.detections)} detection(s) by {prediction.network}",
        )
    return response


class DeploymentEndpoints:
    """`{serviceUrl}/predict` for every deployment, mounted beside both faces."""

    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def routes(self) -> list[Route]:
        return [compiled_route("/endpoints/{deploymentId}/predict", self.predict, methods=["POST"])]

    def _caller(self, request: Request) -> tuple[Call, Deployment]:
        """The key's owner, and their deployment the path names."""
        platform = self.emulator.platform
        account, key = platform.accounts.authenticate(request.headers.get("authorization"))
        call = Call(platform, self.emulator, account, key, request, dict(request.path_params))
        deployment: Deployment | None = by_public_id(call, "deployment", call.params["deploymentId"])
        if deployment is None:
            raise NotFound("Deployment not found")
        return call, deployment

    async def predict(self, request: Request) -> Response:
        try:
            with self.emulator.lock:
                call, deployment = self._caller(request)
            return await serve(call, deployment)
        except ApiError as err:
            return error_response(err)
        except Exception:  # noqa: BLE001  (nothing a client sends may become a traceback)
            return error_response(InternalError("Internal server error"))
