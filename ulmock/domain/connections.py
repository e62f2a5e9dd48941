"""Records of what a workspace connects to: cloud buckets, storage integrations, follows, agents.

Plain records, like `entities`; the rules that use them live in `cloud.py`,
`follows.py` and `workflows.py`. Kept apart so those areas can grow without touching
the core records every other area shares.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ulmock.domain.entities import Record

Provider = Literal["gcs", "s3", "azure"]


class Bucket(Record):
    """A bucket (or Azure container) in the emulated cloud of one workspace.

    Its objects come from a folder on disk a scenario names (`folder`, read when listed,
    never copied) or were put through the control API (`objects`: key -> blob id).
    """

    id: str
    account_id: str
    provider: Provider
    name: str
    folder: str | None = None
    objects: dict[str, str] = Field(default_factory=dict)
    created_at: float


class StorageIntegration(Record):
    """Saved access to some of the workspace's buckets. The secret itself is never kept."""

    id: str
    account_id: str
    provider: Provider
    credential_identity: str
    targets: list[str]
    processing: bool = True
    created_at: float


class Follow(Record):
    id: str
    account_id: str  # the follower
    followed_id: str
    created_at: float


class Workflow(Record):
    """An agent: a graph of blocks the Agents canvas runs; `version` counts saves."""

    id: str
    account_id: str
    name: str
    version: int
    graph: dict[str, Any]
    created_at: float
    updated_at: float
