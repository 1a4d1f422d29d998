"""Safe observers: an exception in one observer is reported instead of stopping the others."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

import traitlets
from traitlets.utils.sentinel import Sentinel

__all__ = ["Names", "SafeObserver", "SafeObservers", "report_in_error"]

#: What ``HasTraits.observe`` accepts as ``names``.
Names = Sentinel | str | Collection[Sentinel | str]

Handler = Callable[[Any], object]


def _names_key(names: Names) -> tuple[Sentinel | str, ...]:
    if isinstance(names, Sentinel | str):
        return (names,)
    return tuple(names)


class SafeObserver:
    """Wraps an observer so that its exception is reported instead of stopping the others."""

    __slots__ = ("handler", "report")

    def __init__(self, handler: Handler, report: Callable[[Handler, Exception], None]) -> None:
        self.handler = handler
        self.report = report

    def __call__(self, change: Any) -> None:
        try:
            self.handler(change)
        except Exception as exc:
            self.report(self.handler, exc)

    def __repr__(self) -> str:
        return f"SafeObserver({self.handler!r})"


class SafeObservers:
    """The safe observers of one ``HasTraits`` object, each added once, removable."""

    __slots__ = ("_owner", "_report", "_wrappers")

    def __init__(
        self, owner: traitlets.HasTraits, report: Callable[[Handler, Exception], None]
    ) -> None:
        self._owner = owner
        self._report = report
        self._wrappers: dict[tuple[Any, ...], SafeObserver] = {}

    def add(self, handler: Handler, names: Names, type: str) -> None:
        """Observe ``names`` with ``handler`` (a second identical add does nothing)."""
        key = (handler, _names_key(names), type)
        if key in self._wrappers:
            return
        wrapper = SafeObserver(handler, self._report)
        self._wrappers[key] = wrapper
        self._owner.observe(wrapper, names=names, type=type)

    def remove(self, handler: Handler, names: Names, type: str) -> None:
        """Undo :meth:`add`."""
        wrapper = self._wrappers.pop((handler, _names_key(names), type), None)
        if wrapper is not None:
            self._owner.unobserve(wrapper, names=names, type=type)


def report_in_error(owner: traitlets.HasTraits) -> Callable[[Handler, Exception], None]:
    """A reporter that logs a failed observer and says so in ``owner.error`` (never recursing).

    An observer of ``error`` itself that fails is only logged.
    """
    reporting = False

    def report(handler: Handler, exc: Exception) -> None:
        nonlocal reporting
        name = type(owner).__name__
        logging.getLogger("appwrite_widgets").error(
            "An observer of %s failed: %r", name, handler, exc_info=exc
        )
        if reporting:
            return
        reporting = True
        try:
            owner.set_trait(
                "error",
                f"A view failed to update ({type(exc).__name__}); "
                "details are in the appwrite_widgets log.",
            )
        finally:
            reporting = False

    return report
