"""A deployment's own endpoint, its `serviceUrl`: `POST {serviceUrl}/predict`.

On the Platform each deployment is its own service, called directly with the owner's
API key and outside the API's rate limits. Here `serviceUrl` is
`{ulmock}/endpoints/{deployment's 24-hex id}`; it answers the live predict contract
(errors as `{"error": message}`) whichever face the emulator serves, counts in the
deployment's logs and metrics, and is never counted against a rate limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ulmock.api.platform.deployments import serve
from ulmock.api.platform.ids import find_public
from ulmock.api.platform.policy import error_response
from ulmock.domain.errors import ApiError, InternalError, NotFound
from ulmock.api.routing import Call

if TYPE_CHECKING:
    from ulmock.emulator import Emulator


class DeploymentEndpoints:
    def __init__(self, emulator: Emulator):
        self.emulator = emulator

    def routes(self) -> list[Route]:
        return [Route("/endpoints/{deploymentId}/predict", self.predict, methods=["POST"])]

    async def predict(self, request: Request) -> Response:
        emulator = self.emulator
        try:
            with emulator.lock:
                platform = emulator.platform
                account, key = platform.accounts.authenticate(request.headers.get("authorization"))
                rows = platform.world.deployments(account.id).values()
                deployment = find_public(rows, request.path_params["deploymentId"])
            if deployment is None:
                raise NotFound("Deployment not found")
            call = Call(platform, emulator, account, key, request, dict(request.path_params))
            return await serve(call, deployment)
        except ApiError as err:
            return error_response(err)
        except Exception:  # noqa: BLE001  (nothing a client sends may become a traceback)
            return error_response(InternalError("Internal server error"))
