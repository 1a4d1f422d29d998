"""``TokenKeeper``: where a context keeps its session token for the next kernel.

In a page, the browser (a :class:`~appwrite_widgets.session.Device`, once its companion said
hello) keeps it; elsewhere the file store does, and only with remember-me. Once a browser
serves the context the file store refuses for good.

A page is only ever handed a session that is its own: one a sign-in made while it served the
context, or the one it supplied itself. A session the kernel holds otherwise (signed in by code,
a kiosk's service account) never goes to a page.
"""

from __future__ import annotations

import hashlib
import logging

from appwrite_widgets.session._credentials import CredentialStore, CredentialStoreError
from appwrite_widgets.session._device import COMPANION_PRESENT, Device

__all__ = ["TokenKeeper"]

_log = logging.getLogger("appwrite_widgets")


class TokenKeeper:
    """The page's browser (``device``) or the file ``store``, for one endpoint and project."""

    __slots__ = ("_endpoint", "_project", "_theirs", "device", "store")

    def __init__(self, store: CredentialStore, endpoint: str, project: str) -> None:
        self.store = store
        self.device: Device | None = None
        self._endpoint = endpoint
        self._project = project
        self._theirs: str | None = None  # SHA-256 of the token that is the device's own

    def attach(self, device: Device) -> None:
        """Keep tokens in ``device`` from now on; the file store refuses from now on."""
        if self.device is not device:
            self._theirs = None
        self.device = device
        self.store.refuse(COMPANION_PRESENT)

    def detach(self, device: Device) -> None:
        """Stop using ``device`` (its companion closed); the file store stays refused."""
        if self.device is device:
            self.device = None
            self._theirs = None

    def adopt(self, token: str) -> None:
        """The device supplied ``token`` itself: it is the device's own."""
        self._theirs = _digest(token)

    def is_theirs(self, token: str) -> bool:
        """Whether ``token`` is the device's own (it supplied it, or was handed it)."""
        return self.device is not None and self._theirs == _digest(token)

    def check(self, persist: bool) -> None:
        """Raise :class:`CredentialStoreError` when ``persist`` cannot be honoured here."""
        if persist and self.device is None and (refusal := self.store.refusal) is not None:
            raise CredentialStoreError(refusal)

    def keep(self, token: str | None, *, persist: bool) -> None:
        """After a sign-in: hand ``token`` to the browser, or remember it (``persist``) or not."""
        if self.device is not None:
            if token is not None:
                self.device.keep(token, persist=persist)
                self._theirs = _digest(token)
        elif not persist:
            self.forget()
        elif token is not None:
            try:
                self.store.save(self._endpoint, self._project, token)
            except OSError as exc:
                _log.warning("Could not remember the session: %s", exc.strerror)

    def load(self) -> str | None:
        """The remembered token (file store only: a browser hands its token over on hello)."""
        if self.device is not None:
            return None
        return self.store.load(self._endpoint, self._project)

    def forget(self) -> None:
        """Signed out: the browser drops its token, or the remembered file goes."""
        if self.device is not None:
            self._theirs = None
            self.device.forget()
            return
        if self.store.refusal is not None:
            return  # under Voila: nothing of this context is in the file store
        try:
            self.store.delete(self._endpoint, self._project)
        except OSError as exc:
            _log.warning("Could not remove the remembered session: %s", exc.strerror)

    def __repr__(self) -> str:
        return f"TokenKeeper(device={self.device is not None})"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
