"""The API key index: each account's keys, and every live key by its secret, kept in one place."""

from __future__ import annotations

from collections.abc import Iterable

from ulmock.domain.entities import ApiKey
from ulmock.domain.store import Kind


class ApiKeys(Kind[ApiKey]):
    """Keys per account (listing) and by secret (authentication).

    Add and remove keys only through `add`, `remove` and `drop`, which keep both in step;
    `world.api_keys(account_id)` is for reading.
    """

    def __init__(self) -> None:
        super().__init__("apikey", ApiKey, prefix="key")
        self._by_secret: dict[str, ApiKey] = {}

    def by_secret(self, secret: str) -> ApiKey | None:
        return self._by_secret.get(secret)

    def add(self, account_id: str, key: ApiKey) -> None:
        super().add(account_id, key)
        self._by_secret[key.secret] = key

    def remove(self, account_id: str, key_id: str) -> ApiKey | None:
        key = self(account_id).remove(key_id)
        if key is not None:
            self._by_secret.pop(key.secret, None)
        return key

    def load(self, account_id: str, rows: Iterable[ApiKey]) -> None:
        super().load(account_id, rows)
        for key in self(account_id).values():
            self._by_secret[key.secret] = key

    def drop(self, account_id: str) -> None:
        for key in self(account_id).values():
            self._by_secret.pop(key.secret, None)
        super().drop(account_id)
