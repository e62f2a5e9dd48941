"""Signed, expiring download URLs, as a cloud bucket issues them.

A URL carries `expires` (epoch seconds on the emulator's clock) and `signature`, an
HMAC-SHA256 of the path and the expiry under the emulator's secret. Change either and
the signature no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import quote

from ulmock.domain.errors import Forbidden

_EXPIRES = re.compile(r"[0-9]{1,15}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SignedPath:
    path: str
    expires_at: float

    def absolute(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


class UrlSigner:
    def __init__(self, secret: str):
        self._key = secret.encode()

    def _mac(self, path: str, expires: int) -> str:
        msg = f"{path}\n{expires}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def sign(self, path: str, now: float, ttl: float) -> SignedPath:
        return self.sign_until(path, now + ttl)

    def sign_until(self, path: str, expires_at: float) -> SignedPath:
        """`path` signed to stay valid until `expires_at` (cut to a whole second)."""
        quoted = quote(path)
        expires = int(expires_at)
        return SignedPath(f"{quoted}?expires={expires}&signature={self._mac(quoted, expires)}", float(expires))

    def verify(self, quoted_path: str, expires: str | None, signature: str | None, now: float) -> None:
        # ASCII digits of a sane length and 64 hex digits: `isdigit` takes '²', `int` refuses
        # 5,000 digits and `compare_digest` refuses non-ASCII text, each with an exception.
        if not expires or not signature or not _EXPIRES.fullmatch(expires) or not _SIGNATURE.fullmatch(signature):
            raise Forbidden("Missing or malformed URL signature")
        if not hmac.compare_digest(self._mac(quoted_path, int(expires)), signature):
            raise Forbidden("Invalid URL signature")
        if now > int(expires):
            raise Forbidden("URL has expired", {"expiredAt": int(expires)})
