"""The live Platform contract (the second face): owner/slug paths, raw JSON, `{"error": ...}`.

What the official client `ultralytics-platform` calls today, served over the same domain
as the seed's face (`ulmock.api.reference`). A face only translates: it parses the path and
body, makes one domain call, and shapes the answer; no rule lives here.

Layout
    routes.py    PlatformRoutes: the shared operation table plus a rate-limit category
    policy.py    errors as {"error": msg}; per-key, per-category sliding-window quotas
    access.py    owner/slug checks, and finding the caller's records by them (404 rules)
    ids.py       24-hex public ids derived from the domain's ids
    openapi.py   /openapi.json of this face, from the table and the response TypedDicts
    edge.py      the face as a Starlette router (mounted by `ulmock.api.faces`)
    <area>.py    one module per area of the client (account, projects, datasets, ...)

Adding an operation
    1. In the area's module (or a new module, listed in `modules()` below), declare the
       answer's shape once, as a `typing_extensions.TypedDict`, named for what it is:

           class ProjectCreated(TypedDict):
               id: str
               owner: str
               project: str
               region: str

       The handler builds exactly this type (mypy checks the keys) and the OpenAPI
       document publishes it (pydantic's TypeAdapter): never a second copy.
    2. Declare the operation beside its handler, with the client's method and path:

           routes = PlatformRoutes("projects")

           @routes.post("/api/projects", body=CreateProject, response=ProjectCreated,
                        status=201, errors=(400, 401, 403, 409, 429), category="default")
           def create_project(call: Call) -> Response:
               \"\"\"Create a project.\"\"\"           # the first line is the summary
               ...
               return ok(ProjectCreated(id=..., ...), 201)

       `body`/`query`/`form` are pydantic models (`extra="ignore"`, camelCase field
       names as on the wire); the edge validates them (400) after auth (401) and the
       quota (429). `category` is the live docs' rate-limit counter: default, training,
       upload, predict, export, download. `errors` lists the statuses the contract
       documents for this operation (405/500, and 413 with a body, are added).
    3. Find records through `access` (`owner_of`, `project_at`, `dataset_at`,
       `model_at`): they check slugs (400) and answer someone else's private record
       exactly like a missing one (404). Show ids through `ids.public_id`.
    4. Raise `ulmock.domain.errors` (NotFound, ValidationError, Forbidden, Conflict,
       PaymentRequired, ...); the policy renders `{"error": message}`.
    5. Test it through the official client against a live ulmock, validating the answer
       with `pydantic.TypeAdapter(<the client's TypedDict>)` (tests/platform/).
"""

from __future__ import annotations

from ulmock.api.platform.routes import Category, PlatformRoutes
from ulmock.api.operations import Operation


def modules() -> list[PlatformRoutes]:
    # Imported here, not at the top: the areas import `access` and `routes` from this package.
    from ulmock.api.platform import (
        account, billing, dataset_content, datasets, lifecycle, models, predict, projects, training, upload,
    )  # fmt: skip
    from ulmock.api.platform import deployments, exports  # noqa: I001  (plat2's areas)
    from ulmock.api.platform import agents, autoannotate, curation, explore, follows, images, integrations, roboflow
    from ulmock.api.platform import mobile, similarity

    connected = [m.routes for m in (images, curation, follows, explore, integrations, agents, roboflow)]
    connected += [similarity.routes, similarity.image_routes, autoannotate.routes, autoannotate.batch_routes,
                  mobile.routes]
    return [m.routes for m in (account, billing, projects, datasets, dataset_content, upload, models, lifecycle,
                               training, predict, exports, deployments)] + connected  # fmt: skip


def sdk_operations() -> list[Operation]:
    """The `ultralytics` package's own callbacks, served alike in both faces (the SDK reads
    their fields at the top level, which their mirrored answers carry)."""
    from ulmock.api.reference import sdk

    ours = {(op.method, op.path) for routes in modules() for op in routes.operations}
    return [op for op in sdk.routes.operations if (op.method, op.path) not in ours]


def operations() -> list[Operation]:
    return [op for routes in modules() for op in routes.operations] + sdk_operations()


def rate_categories() -> dict[tuple[str, str], Category]:
    categories = {key: category for routes in modules() for key, category in routes.categories.items()}
    categories[("POST", "/api/webhooks/models/upload")] = "upload"
    return categories
