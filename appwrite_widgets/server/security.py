"""Passwords (argon2id), session secrets and tokens, Appwrite IDs, fixed-window rate limits."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# Appwrite hashes with two Argon2id option sets (memory KiB, iterations, lanes):
# utopia-php/auth's defaults for POST /account and POST /users, and its own
# ``proofForPassword`` for anonymous and invited users and password changes.
SIGNUP_COST = (65536, 4, 3)
APPWRITE_COST = (7168, 5, 1)
_HASHERS = {
    cost: PasswordHasher(
        time_cost=cost[1],
        memory_cost=cost[0],
        parallelism=cost[2],
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )
    for cost in (SIGNUP_COST, APPWRITE_COST)
}
_PARAMS_RE = re.compile(r"\$argon2id?\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$")

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
ID_RULE = (
    "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, "
    "hyphen, and underscore. Can't start with a special char"
)


def hash_password(password: str, cost: tuple[int, int, int] = SIGNUP_COST) -> str:
    """Argon2id hash with one of Appwrite's option sets (CPU-bound: call it off the loop)."""
    return _HASHERS[cost].hash(password)


def hash_options(stored: str | None, cost: tuple[int, int, int]) -> dict[str, object]:
    """The User model's ``hashOptions`` (snake_case, as Appwrite stores them).

    Read from the stored hash, else ``cost`` (users without a password still report argon2).
    """
    found = _PARAMS_RE.match(stored or "")
    memory, time_cost, threads = (int(x) for x in found.groups()) if found else cost
    return {"type": "argon2", "memory_cost": memory, "time_cost": time_cost, "threads": threads}


def verify_password(stored: str | None, password: str) -> bool:
    """True iff ``password`` matches the stored argon2 hash (False for no hash)."""
    if not stored:
        return False
    try:
        return _HASHERS[APPWRITE_COST].verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    """A raw session secret: 128 random bytes as 256 lowercase hex chars."""
    return secrets.token_hex(128)


def sha256_hex(value: str) -> str:
    """SHA-256 hex digest, the only form a secret is stored in."""
    return hashlib.sha256(value.encode()).hexdigest()


def encode_token(user_id: str, secret: str) -> str:
    """Client token: standard base64 of compact JSON ``{"id":…,"secret":…}``."""
    raw = json.dumps({"id": user_id, "secret": secret}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_token(value: str | None) -> tuple[str, str] | None:
    """Lenient decode of a token (URL-encoded or raw base64); None when unusable."""
    if not value:
        return None
    text = unquote(value.strip()) if "%" in value else value.strip()
    try:
        data = json.loads(base64.b64decode(text + "=" * (-len(text) % 4), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    uid, secret = data.get("id"), data.get("secret")
    # Real IDs and secrets are ASCII; anything else (a lone surrogate...) cannot match.
    if (
        isinstance(uid, str)
        and isinstance(secret, str)
        and uid
        and secret
        and uid.isascii()
        and secret.isascii()
    ):
        return uid, secret
    return None


def unique_id() -> str:
    """Appwrite ``ID::unique()``: PHP uniqid (8 hex seconds + 5 hex micros) + 7 random hex."""
    now = time.time()
    sec = int(now)
    usec = int((now - sec) * 1_000_000)
    return f"{sec:08x}{usec:05x}{secrets.token_hex(4)[:7]}"


def is_valid_id(value: object) -> bool:
    """Appwrite UID/CustomId rule: 1–36 of [A-Za-z0-9._-], not starting with a special char."""
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


def new_api_key() -> str:
    """A standard API key: ``standard_`` + 256 hex chars."""
    return "standard_" + secrets.token_hex(128)


def keys_equal(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return secrets.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Outcome of one rate-limit check (values for the X-RateLimit-* headers)."""

    allowed: bool
    limit: int
    remaining: int
    reset: int


def _compact(key: str) -> str:
    """``key`` itself when short, else its head and a digest.

    Keys embed raw parameters, such as an email as sent, which may be a megabyte long.
    """
    if len(key) <= 128:
        return key
    return key[:64] + "#" + sha256_hex(key)


class RateLimiter:
    """Fixed windows aligned to ``floor(now / period) * period`` (utopia-php/abuse TimeLimit).

    Holds at most ``max_keys`` counters, each under a short key: past windows go first, then
    the oldest counters, so a flood of distinct (or huge) keys cannot exhaust memory.
    """

    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[tuple[str, int], tuple[int, int]] = {}  # (key, start) -> (used, end)
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    def hit(
        self, key: str, limit: int, period: int, now: float, *, count: bool = True
    ) -> RateDecision:
        """Check ``key``; when allowed (and ``count``), count this attempt."""
        start = int(math.floor(now / period) * period)
        key = _compact(key)
        with self._lock:
            used = self._counts.get((key, start), (0, 0))[0]
            allowed = used < limit
            if allowed and count:
                self._counts[(key, start)] = (used + 1, start + period)
                if len(self._counts) > self._max_keys:
                    self._shrink(now)
        return RateDecision(
            allowed, limit, max(limit - used - 1, 0) if allowed else 0, start + period
        )

    def _shrink(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        excess = len(self._counts) - self._max_keys * 9 // 10
        for k in list(itertools.islice(self._counts, max(excess, 0))):
            del self._counts[k]

    def reset(self, key: str) -> None:
        """Forget every window of ``key`` (Appwrite resets the email limit on a 201)."""
        key = _compact(key)
        with self._lock:
            for k in [k for k in self._counts if k[0] == key]:
                del self._counts[k]
