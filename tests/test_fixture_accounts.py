"""The fixture's `account(...)` takes dollars; balances are kept in micro-USD."""


def test_dollars_become_exact_micro_usd(ulmock):
    handle = ulmock.account("cents", balance=2.01, credit=0.29)
    with ulmock.emulator.lock:
        account = ulmock.emulator.platform.world.accounts[handle.id]
        assert (account.cash_balance, account.credit_balance) == (2_010_000, 290_000)
