"""Account and billing through the official client."""

from __future__ import annotations

import pytest
from ultralytics_platform import Platform

from tests.platform_face.helpers import refused, typed
from ulmock.testing import Ulmock

pytestmark = pytest.mark.ulmock(scenario="demo", api="platform")


def test_summary_counts_what_the_account_holds(client: Platform, ulmock: Ulmock) -> None:
    summary = typed("AccountSummaryResponse", client.account.summary())
    assert summary["username"] == ulmock.username
    assert summary["counts"] == {"projects": 1, "datasets": 1, "models": 1}
    assert summary["creditsCents"] == 500  # the $5 sign-up credit
    assert summary["teams"] == []


def test_api_keys_show_metadata_never_the_secret(client: Platform, ulmock: Ulmock) -> None:
    keys = typed("AccountApiKeysResponse", client.account.api_keys())["keys"]
    assert len(keys) == 1
    assert ulmock.api_key.startswith(keys[0]["keyPrefix"]) and len(keys[0]["keyPrefix"]) < len(ulmock.api_key)
    assert len(keys[0]["keyId"]) == 24 and int(keys[0]["keyId"], 16) >= 0


def test_storage_breakdown_and_largest_items(client: Platform) -> None:
    plain = typed("AccountStorageResponse", client.account.storage())
    assert plain["breakdown"]["topItems"] == []
    detailed = typed("AccountStorageResponse", client.account.storage(details="true"))
    datasets = detailed["breakdown"]["byCategory"]["datasets"]
    assert datasets["count"] == 1 and datasets["bytes"] > 0
    assert detailed["usage"]["storage"]["current"] >= datasets["bytes"]
    assert [i["type"] for i in detailed["breakdown"]["topItems"]][:1] == ["dataset"]
    assert detailed["region"] == "us"


def test_profile_of_a_user_and_of_nobody(client: Platform, ulmock: Ulmock) -> None:
    user = typed("AccountProfileResponse", client.account.profile(username=ulmock.username))["user"]
    assert user["username"] == ulmock.username and user["isFollowed"] is False
    assert refused(lambda: client.account.profile(username="nobody-here"), 404) == {"error": "User not found"}
    refused(lambda: client.account.profile(username="bad name!"), 400)


def test_a_missing_or_wrong_key_is_401(ulmock: Ulmock) -> None:
    with Platform(api_key="", base_url=ulmock.url, max_retries=0) as anonymous:
        refused(anonymous.account.summary, 401)
    with Platform(api_key="ul_" + "0" * 40, base_url=ulmock.url, max_retries=0) as revoked:
        refused(revoked.billing.usage_summary, 401)


def test_usage_summary_reflects_plan_and_storage(client: Platform) -> None:
    usage = typed("BillingUsageSummaryResponse", client.billing.usage_summary())
    assert usage["plan"]["planId"] == "free"
    assert usage["creditsCents"] == usage["trainingCredit"]["balanceAvailable"] == 500
    storage = usage["metrics"][0]
    assert storage["used"] + storage["remaining"] == storage["limit"]
    assert usage["features"]["privateProjects"] is False


def test_transactions_list_purchases_with_running_balance(client: Platform, ulmock: Ulmock) -> None:
    assert typed("BillingTransactionsResponse", client.billing.transactions()) == {"transactions": []}
    with ulmock.emulator.lock:
        billing = ulmock.platform.billing
        account = ulmock.platform.accounts.by_username(ulmock.username)
        billing.complete(billing.checkout(account, 20).id)
    ulmock.clock.advance(60)
    with ulmock.emulator.lock:
        billing.complete(billing.checkout(account, 5).id)
    txs = typed("BillingTransactionsResponse", client.billing.transactions())["transactions"]
    assert [(t["type"], t["amountCents"], t["balanceAfter"]) for t in txs] == [
        ("purchase", 500, 3000),
        ("purchase", 2000, 2500),
    ]
    later = client.billing.transactions(from_=txs[0]["createdAt"])["transactions"]
    assert [t["amountCents"] for t in later] == [500]
    refused(lambda: client.billing.transactions(from_="yesterday"), 400)
    refused(lambda: client.billing.transactions(from_=txs[0]["createdAt"], to=txs[1]["createdAt"]), 400)
