"""The reference face's policy at the edge: the error envelope, per-account minute and day quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from ulmock.api.operations import Operation
from ulmock.api.reference import envelope
from ulmock.domain.entities import Account, ApiKey
from ulmock.domain.errors import ApiError
from ulmock.domain.ratelimit import QuotaExceeded, RateStatus

if TYPE_CHECKING:
    from ulmock.domain.backend import Platform


class ReferencePolicy:
    """The seed's face: the error envelope, per-account minute and day quotas."""

    def error(self, err: ApiError) -> Response:
        return envelope.error(err)

    def count(self, platform: Platform, account: Account, key: ApiKey, op: Operation) -> dict[str, str]:
        per_minute, per_day = platform.accounts.limits(account)
        try:
            quota = platform.rate_limits.hit(account.id, per_minute, per_day)
        except QuotaExceeded as err:
            err.headers.update(quota_headers(err.quota))
            raise
        return quota_headers(quota)


def quota_headers(quota: RateStatus) -> dict[str, str]:
    """The reference face's rate-limit headers: the reset as epoch seconds."""
    return {
        "X-RateLimit-Limit": str(quota.limit),
        "X-RateLimit-Remaining": str(quota.remaining),
        "X-RateLimit-Reset": str(quota.reset),
    }
