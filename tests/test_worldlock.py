"""The world's lock knows whether the calling thread holds it (the webhook sender relies on it)."""

import threading

from ulmock.emulator import Emulator


def test_held_only_by_the_thread_that_took_it():
    emulator = Emulator()
    lock = emulator.lock
    assert not lock.held()
    seen: list[bool] = []
    with lock, lock:
        assert lock.held()
        t = threading.Thread(target=lambda: seen.append(lock.held()))
        t.start()
        t.join()
    assert seen == [False]
    assert not lock.held()


def test_flush_under_the_lock_does_not_wait_for_the_sender():
    emulator = Emulator()
    with emulator.lock:
        assert emulator.webhooks.flush(timeout=5) is False
    assert emulator.webhooks.flush(timeout=5) is True
    emulator.stop()
