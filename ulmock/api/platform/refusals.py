"""How the domain's state refusals read on the live face.

The domain says what went wrong (`StateConflict`: the record's state refuses the
request; `NotEnoughCredit`: the balance cannot cover it); the reference face shows those
as 400 and 403, the live contract as 409 and 402. Wrap the domain call:

    with live_statuses():
        training = call.platform.trainings.start(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ulmock.domain.errors import Conflict, NotEnoughCredit, PaymentRequired, StateConflict


@contextmanager
def live_statuses() -> Iterator[None]:
    try:
        yield
    except StateConflict as err:
        raise Conflict(err.message, err.details) from None
    except NotEnoughCredit as err:
        raise PaymentRequired(err.message, err.details) from None
