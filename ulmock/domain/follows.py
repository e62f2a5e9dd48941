"""Who follows whom. A follow is kept in the follower's table, indexed by who is followed."""

from __future__ import annotations

from ulmock.domain.entities import Account
from ulmock.domain.errors import ValidationError
from ulmock.domain.world import World


class Follows:
    def __init__(self, world: World):
        self.world = world

    def set(self, follower: Account, followed: Account, on: bool) -> None:
        """Follow (`on`) or unfollow; doing either twice changes nothing."""
        if follower.id == followed.id:
            raise ValidationError("You cannot follow yourself", {"username": followed.username})
        w = self.world
        table = w.follows(follower.id)
        rows, total = table.newest_first(followed_id=followed.id)
        existing = next(rows, None) if total else None
        if on and existing is None:
            w.create(w.follows, follower.id, followed_id=followed.id)
        elif not on and existing is not None:
            table.remove(existing.id)

    def follows(self, follower: Account, followed: Account) -> bool:
        return self.world.follows(follower.id).newest_first(followed_id=followed.id)[1] > 0

    def follower_count(self, followed: Account) -> int:
        accounts = self.world.accounts
        return sum(
            table.newest_first(followed_id=followed.id)[1]
            for account_id, table in self.world.follows.by_account.items()
            if account_id in accounts and not accounts[account_id].deleted
        )
