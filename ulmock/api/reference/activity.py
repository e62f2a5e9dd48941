"""/api/activity: the account's event feed, with date and text filters."""

from __future__ import annotations

from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.reference import envelope
from ulmock.api.reference.requests import ActivityQuery, EventIds
from ulmock.api.reference.routes import ReferenceRoutes
from ulmock.api.reference.views import shape
from ulmock.domain.activity import ActivityQuery as Filters
from ulmock.domain.clock import iso, parse_iso
from ulmock.domain.entities import ActivityEvent
from ulmock.domain.errors import ValidationError


@shape
class ActivityView(TypedDict):
    id: str
    type: str
    message: str
    resourceType: str | None
    resourceId: str | None
    createdAt: str
    seen: bool
    archived: bool


def activity_view(e: ActivityEvent) -> ActivityView:
    return {
        "id": e.id,
        "type": e.type,
        "message": e.message,
        "resourceType": e.resource_type,
        "resourceId": e.resource_id,
        "createdAt": iso(e.created_at),
        "seen": e.seen,
        "archived": e.archived,
    }


@shape
class UpdatedView(TypedDict):
    updated: int


routes = ReferenceRoutes("activity", scope="account")


def _date(value: str | None, field: str, end_of_day: bool = False) -> float | None:
    if value is None:
        return None
    try:
        ts = parse_iso(value)
    except ValueError:
        raise ValidationError(f"{field} is not an ISO 8601 date", {field: value}) from None
    # A bare date as an end bound means "through that whole day".
    if end_of_day and len(value.strip()) == 10:
        ts += 86_400 - 0.001
    return ts


@routes.get("/api/activity", query=ActivityQuery, response=ActivityView, paginated=True)
def list_activity(call: Call) -> Response:
    """Activity events, newest first; filter by dates and message text."""
    q = call.query
    filters = Filters(
        start=_date(q.startDate, "startDate"),
        end=_date(q.endDate, "endDate", end_of_day=True),
        search=q.search,
        include_archived=q.archived,
    )
    if filters.start is not None and filters.end is not None and filters.start > filters.end:
        raise ValidationError("startDate is after endDate", {"startDate": q.startDate, "endDate": q.endDate})
    page = call.platform.activity.list(call.account, filters, q.page, q.limit)
    return envelope.paged(page, [activity_view(e) for e in page.items])


@routes.post("/api/activity/mark-seen", body=EventIds, response=UpdatedView)
def mark_activity_seen(call: Call) -> UpdatedView:
    """Mark events as seen (all of them when no ids are given)."""
    return {"updated": call.platform.activity.mark_seen(call.account, call.body.ids)}


@routes.post("/api/activity/archive", body=EventIds, response=UpdatedView)
def archive_activity(call: Call) -> UpdatedView:
    """Archive events (all of them when no ids are given); archived events leave the list."""
    return {"updated": call.platform.activity.archive(call.account, call.body.ids)}
