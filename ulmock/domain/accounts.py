"""Accounts, their API keys, and authentication of a bearer key."""

from __future__ import annotations

from ulmock.domain.activity import Activity
from ulmock.domain.catalogue import (
    PLAN_LIMITS,
    PLANS,
    SCOPES,
    SIGNUP_CREDIT_MICRO,
    Plan,
)
from ulmock.domain.entities import Account, ApiKey, Dataset, Model, RateLimits
from ulmock.domain.errors import Forbidden, NotFound, Unauthorized, ValidationError, not_found
from ulmock.domain.ids import API_KEY_PATTERN
from ulmock.domain.records import clean_name
from ulmock.domain.store import Page
from ulmock.domain.world import World


class Accounts:
    def __init__(self, world: World, activity: Activity):
        self.world = world
        self.activity = activity

    # -- accounts ----------------------------------------------------------
    def create(
        self,
        username: str,
        plan: str = "free",
        *,
        email: str | None = None,
        cash_balance: int = 0,
        credit_balance: int = SIGNUP_CREDIT_MICRO,
        rate_limits: RateLimits | None = None,
        api_key: str | None = None,
        key_name: str = "default",
    ) -> tuple[Account, ApiKey]:
        w = self.world
        if plan not in PLANS:
            raise ValidationError(f"Unknown plan '{plan}'", {"plan": f"must be one of {', '.join(PLANS)}"})
        if not username or not username.replace("-", "").replace("_", "").isalnum():
            raise ValidationError("Invalid username", {"username": "letters, digits, '-' and '_' only"})
        if username in w.usernames:
            raise ValidationError(f"Username '{username}' is taken", {"username": "already exists"})
        account = Account(
            id=w.ids.new("user"),
            username=username,
            email=email or f"{username}@example.com",
            plan=plan,
            cash_balance=cash_balance,
            credit_balance=credit_balance,
            rate_limits=rate_limits,
            created_at=w.now(),
        )
        w.accounts[account.id] = account
        w.usernames[username] = account.id
        key = self._new_key(account, key_name, None, api_key)
        return account, key

    def get(self, account_id: str) -> Account:
        account = self.world.accounts.get(account_id)
        if account is None or account.deleted:
            raise NotFound("Account not found", {"id": account_id})
        return account

    def by_username(self, username: str) -> Account | None:
        account_id = self.world.usernames.get(username)
        account = self.world.accounts.get(account_id) if account_id else None
        return account if account is not None and not account.deleted else None

    def live(self) -> list[Account]:
        """The accounts not deleted, oldest first."""
        return [a for a in self.world.accounts.values() if not a.deleted]

    def default(self) -> Account | None:
        """The account meant when none is named: the oldest one not deleted."""
        return next((a for a in self.world.accounts.values() if not a.deleted), None)

    def named_or_default(self, username: str | None, purpose: str) -> Account:
        """`username`'s account (NotFound if there is none), else the default one; a
        ValidationError saying there is no account to `purpose` when there is none at all."""
        if username is not None:
            account = next((a for a in self.live() if a.username == username), None)
            if account is None:
                raise NotFound(f"No account '{username}'", {"account": username})
            return account
        default = self.default()
        if default is None:
            raise ValidationError(f"There is no account to {purpose}", {"account": "required"})
        return default

    def plan(self, account: Account) -> Plan:
        return PLAN_LIMITS[account.plan]

    def limits(self, account: Account) -> tuple[int, int]:
        """Requests per minute and per day for this account."""
        if account.rate_limits is not None:
            return account.rate_limits.per_minute, account.rate_limits.per_day
        plan = self.plan(account)
        return plan.requests_per_minute, plan.requests_per_day

    def set_plan(self, account: Account, plan: str) -> None:
        account.plan = plan

    # -- authentication -----------------------------------------------------
    def authenticate(self, authorization: str | None) -> tuple[Account, ApiKey]:
        if not authorization:
            raise Unauthorized("Missing API key: send 'Authorization: Bearer ul_...'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Invalid authorization header: expected 'Bearer <api key>'")
        token = token.strip()
        # Every stored key has the ul_ format (create_key refuses any other), so the format
        # is checked only for a token that is not one: which refusal it gets.
        key = self.world.api_keys.by_secret(token)
        if key is None and not API_KEY_PATTERN.match(token):
            raise Unauthorized("Invalid API key format")
        account = self.world.accounts.get(key.account_id) if key else None
        if key is None or account is None or account.deleted:
            raise Unauthorized("Invalid or revoked API key")
        now = self.world.now()
        if key.last_used_at != now:  # a record's write is a validated assignment: only a change
            key.last_used_at = now
        return account, key

    @staticmethod
    def require_scope(key: ApiKey, scope: str | None) -> None:
        if scope is not None and key.scopes is not None and scope not in key.scopes:
            raise Forbidden(
                f"This API key lacks the '{scope}' scope",
                {"requiredScope": scope, "keyScopes": list(key.scopes)},
            )

    # -- API keys -------------------------------------------------------------
    def list_keys(self, account: Account, page: int, limit: int) -> Page[ApiKey]:
        return self.world.api_keys(account.id).page(page, limit)

    def create_key(self, account: Account, name: str, scopes: list[str] | None) -> ApiKey:
        key = self._new_key(account, clean_name(name), scopes, None)
        self.activity.record(account, "api_key.created", f"Created API key '{name}'", "api_key", key.id)
        return key

    def revoke_key(self, account: Account, key_id: str) -> ApiKey:
        key = self.world.api_keys.remove(account.id, key_id)
        if key is None:
            raise not_found("API key", key_id)
        self.activity.record(account, "api_key.revoked", f"Revoked API key '{key.name}'", "api_key", key.id)
        return key

    def add_key(
        self, account: Account, name: str, scopes: list[str] | None = None, secret: str | None = None
    ) -> ApiKey:
        """A key without an activity event (worlds built by scenarios and the control API)."""
        return self._new_key(account, name, scopes, secret)

    def _new_key(self, account: Account, name: str, scopes: list[str] | None, secret: str | None) -> ApiKey:
        w = self.world
        if scopes is not None:
            unknown = sorted(set(scopes) - set(SCOPES))
            if unknown:
                raise ValidationError(
                    f"Unknown scope(s): {', '.join(unknown)}", {"scopes": f"allowed: {', '.join(SCOPES)}"}
                )
            scopes = sorted(set(scopes), key=SCOPES.index)
        if secret is None:
            secret = w.ids.api_key()
        elif not API_KEY_PATTERN.match(secret):
            raise ValidationError("API keys must match ul_ followed by 40 lowercase hex digits", {"apiKey": secret})
        if w.api_keys.by_secret(secret) is not None:
            raise ValidationError("That API key is already in use", {"apiKey": "duplicate"})
        return w.create(w.api_keys, account.id, name=name, secret=secret, scopes=scopes)

    # -- deletion -------------------------------------------------------------
    def erase(self, account: Account) -> None:
        """GDPR delete: the account, its keys and everything it owns, for good."""
        w = self.world
        for blob_id in self._blob_ids(account):
            w.blobs.delete(blob_id)
        w.drop_account_tables(account.id)
        w.usernames.pop(account.username, None)
        w.rate_windows.pop(account.id, None)
        w.checkouts = {k: c for k, c in w.checkouts.items() if c.account_id != account.id}
        w.clock.cancel(lambda due: due.payload.get("accountId") == account.id)
        # Forgotten, not flagged: no username, email or id stays in the world (or a snapshot).
        w.accounts.pop(account.id, None)
        account.deleted = True
        account.cash_balance = account.credit_balance = account.reserved = 0

    def _blob_ids(self, account: Account) -> list[str]:
        w = self.world
        ids: list[str] = []
        for m in w.models(account.id).values():
            if m.file:
                ids.append(m.file.blob_id)
        for d in w.datasets(account.id).values():
            ids.extend(i.blob_id for i in d.images)
        for item in w.trash(account.id).values():
            ent = item.entity
            if isinstance(ent, Model) and ent.file:
                ids.append(ent.file.blob_id)
            if isinstance(ent, Dataset):
                ids.extend(i.blob_id for i in ent.images)
            ids.extend(c.file.blob_id for c in item.children if c.file)
        ids.extend(e.blob_id for e in w.exports(account.id).values() if e.blob_id)
        ids.extend(g.blob_id for g in w.gdpr_exports(account.id).values())
        return ids
