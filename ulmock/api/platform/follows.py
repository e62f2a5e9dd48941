"""Following users: `PATCH /api/users` (the profile, `GET`, shows the counts it changes)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.responses import Response
from typing_extensions import TypedDict

from ulmock.api.operations import Call
from ulmock.api.platform.access import check_owner
from ulmock.api.platform.routes import PlatformRoutes, ok
from ulmock.domain.errors import NotFound

routes = PlatformRoutes("Account")


class FollowState(TypedDict):
    followed: bool
    followerCount: int


class FollowChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = Field(min_length=1, max_length=64)
    followed: StrictBool


@routes.patch("/api/users", body=FollowChange, response=FollowState)
def follow(call: Call) -> Response:
    """Follow or unfollow a user (twice is the same as once)."""
    b: FollowChange = call.body
    user = call.platform.accounts.by_username(check_owner(b.username))
    if user is None:
        raise NotFound("User not found")
    follows = call.platform.follows
    follows.set(call.account, user, b.followed)
    return ok(FollowState(followed=follows.follows(call.account, user), followerCount=follows.follower_count(user)))
