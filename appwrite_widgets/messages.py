"""The sentences the context shows people (``status`` and ``error``), in one place."""

from __future__ import annotations

__all__ = ["EXPIRES_SOON", "SESSION_ENDED", "SESSION_EXPIRED", "SIGNED_OUT_ELSEWHERE"]

SESSION_ENDED = "Your session ended (revoked or expired). Please sign in again."
SIGNED_OUT_ELSEWHERE = "Signed out from another device."
SESSION_EXPIRED = "Your session expired. Please sign in again."
EXPIRES_SOON = "Your session ends in a few minutes; sign in again to keep working."
