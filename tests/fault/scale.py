"""How big the fault tests are: small in ``make test``, the full counts with TWEETPULSE_FAULT_SCALE=full
(``make test-faults``)."""

from __future__ import annotations

import os

FULL = os.environ.get("TWEETPULSE_FAULT_SCALE", "").lower() == "full"


def pick(small: int, full: int) -> int:
    return full if FULL else small
