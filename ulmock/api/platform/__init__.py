"""The live Platform contract (the second face): owner/slug paths, raw JSON, `{"error": ...}`.

What the official client `ultralytics-platform` calls today, served over the same domain
as the seed's face (`ulmock.api.reference`). A face only translates: it parses the path and
body, makes one domain call, and shapes the answer; no rule lives here.

Layout
    routes.py      PlatformRoutes: the shared operation table plus a rate-limit category
    policy.py      errors as {"error": msg}; per-key, per-category sliding-window quotas
    access.py      owner/slug checks, and finding the caller's records by them (404 rules)
    ids.py         24-hex public ids derived from the domain's ids
    vocabulary.py  the contract's shared literals (Region, Task, ...) and body fields
    openapi.py     /openapi.json of this face, from the table and the response TypedDicts
    edge.py        the face as a Starlette router (mounted by `ulmock.api.faces`)
    <area>.py      one module per area of the client (account, projects, datasets, ...);
                   deployments.py, monitoring.py (health, logs, metrics) and service.py
                   (predicting through a deployment, and its serviceUrl) for deployments

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
                        status=201, errors=CREATE, category="default")
           def create_project(call: Call) -> Response:
               \"\"\"Create a project.\"\"\"           # the first line is the summary
               ...
               return ok(ProjectCreated(id=..., ...), 201)

       `body`/`query`/`form` are pydantic models (`extra="ignore"`, camelCase field
       names as on the wire); the edge validates them (400) after auth (401) and the
       quota (429). `category` is the live docs' rate-limit counter: default, training,
       upload, predict, export, download. `errors` lists the statuses the contract
       documents for this operation (405/500, and 413 with a body, are added): one of
       the named sets of `routes` (READ, WRITE, CREATE, ...) where one fits.
    3. Find records through `access` (`owner_of`, `project_at`, `dataset_at`,
       `model_at`, `deployment_at`, `model_named`, `by_public_id`, ...), never through
       the world's tables: they check slugs (400) and answer someone else's private
       record exactly like a missing one (404). Show ids through `ids.public_id`.
    4. Raise `ulmock.domain.errors` (NotFound, ValidationError, Forbidden, Conflict,
       PaymentRequired, ...); the policy renders `{"error": message}`.
    5. Test it through the official client against a live ulmock, validating the answer
       with `pydantic.TypeAdapter(<the client's TypedDict>)` (tests/platform/).
"""

from __future__ import annotations

from ulmock.api.operations import Operation
from ulmock.api.platform.routes import Category, PlatformRoutes


def modules() -> list[PlatformRoutes]:
    """The face's route tables, in the order /openapi.json lists their paths."""
    # Imported here, not at the top: the areas import `access` and `routes` from this package.
    from ulmock.api.platform import (
        account,
        agents,
        autoannotate,
        billing,
        curation,
        dataset_content,
        dataset_versions,
        datasets,
        deployments,
        explore,
        exports,
        follows,
        images,
        integrations,
        lifecycle,
        mobile,
        models,
        monitoring,
        predict,
        projects,
        roboflow,
        service,
        similarity,
        training,
        upload,
        version_compare,
    )

    return [
        account.routes,
        billing.routes,
        projects.routes,
        datasets.routes,
        dataset_versions.routes,
        dataset_content.routes,
        upload.routes,
        models.routes,
        lifecycle.routes,
        training.routes,
        predict.routes,
        exports.routes,
        deployments.routes,
        monitoring.routes,
        service.routes,
        images.routes,
        curation.routes,
        version_compare.routes,
        follows.routes,
        explore.routes,
        integrations.routes,
        agents.routes,
        roboflow.routes,
        similarity.routes,
        similarity.image_routes,
        autoannotate.routes,
        autoannotate.batch_routes,
        mobile.routes,
    ]


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
