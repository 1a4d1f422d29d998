"""What every widget of this package shares: observer bookkeeping, safe dispatch, cleanup.

* Widgets observe the :class:`~appwrite_widgets.SessionContext` only, through
  ``ctx.observe_safely`` (a failing view cannot stop the others), and remember each observer so
  ``close()`` removes them all: traitlets observers are strong references, so a forgotten one
  keeps a closed widget alive as long as the context lives.
* Button callbacks never let an exception escape (ipywidgets would print it into whatever output
  area is current, often nowhere, and Voila may show it to dashboard users). Errors become one
  short line in ``ctx.error``, or in the widget's own notice for an action that concerns only
  it (a panel's); tracebacks go to the ``appwrite_widgets`` logger only.
* Inside a kernel (an asyncio loop runs in this thread) actions are scheduled as tasks on that
  loop so the kernel stays responsive; a reference is kept until the task ends (the loop only
  keeps weak ones). Without a loop (plain Python, pytest) the sync action runs at once.
  :meth:`ContextView._dispatch` returns the scheduled task (await it to wait for the action;
  failures are already reported, the task itself never raises) or None when the action already
  ran; ``await widget.wait_idle()`` waits for all of a widget's tasks. ``asyncio`` is imported
  where it is used, on first use (import time of the package).
* A page's messages are handled on the loop the widget was made on (the kernel's): JupyterLab
  4.6 sends widget messages over a kernel subshell by default (``commsOverSubshells``), and
  ipykernel 7 handles those on another thread, with an asyncio loop of its own, while the
  context, its clients' connections and every other widget belong to the kernel's main loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from appwrite_widgets.client import AppwriteError
from appwrite_widgets.session import describe, running_loop

if TYPE_CHECKING:
    import asyncio

    from appwrite_widgets.session import Names, SessionContext

__all__ = [
    "LITERAL_CLASSES",
    "ContextView",
    "close_tree",
    "close_widget",
    "failure_text",
    "literal",
    "report_failure",
]

# MathJax's "do not typeset" classes: MathJax 3 (JupyterLab 4, Notebook 7, Voila 0.5) and 2
# (classic Notebook). They apply to the marked element itself and everything inside it.
LITERAL_CLASSES = ("mathjax_ignore", "tex2jax_ignore")

_log = logging.getLogger("appwrite_widgets")

W = TypeVar("W")


def failure_text(ctx: SessionContext, exc: BaseException) -> str:
    """One safe line about a failed action; a traceback (not an Appwrite error) goes to the log."""
    if isinstance(exc, AppwriteError):
        _log.debug("Action failed: %r", exc)
        return describe(exc, ctx.endpoint)
    _log.error("A widget action failed", exc_info=exc)
    return f"Something went wrong ({type(exc).__name__}); details are in the appwrite_widgets log."


def report_failure(ctx: SessionContext, exc: BaseException) -> None:
    """Show a failure as one safe line in ``ctx.error``; the traceback goes to the log."""
    message = failure_text(ctx, exc)
    # An action reporting into ctx.error already put Appwrite's (redacted) message there.
    if not (isinstance(exc, AppwriteError) and ctx.error):
        ctx.error = message


def literal(widget: W) -> W:
    """Mark ``widget`` as showing text people or devices set (names, emails, server messages).

    JupyterLab and Voila typeset every Label with MathJax, where ``$...$``, ``\\(...\\)`` or
    ``\\begin{...}`` is math and ``\\href`` makes a link, so escaping ``$`` would not be
    enough; MathJax's ignore classes keep the text literal.
    """
    target: Any = widget
    for name in LITERAL_CLASSES:
        target.add_class(name)
    return widget


class ContextView:
    """Mixin for the package's widgets (put it before the ipywidgets base class)."""

    children: tuple[Any, ...]
    layout: Any
    _ctx: SessionContext
    _observed: list[tuple[Callable[[Any], object], Names]]
    _owned: list[Any]
    _tasks: set[asyncio.Future[Any]]

    def _bind(self, ctx: SessionContext) -> None:
        self._ctx = ctx
        self._observed = []
        self._owned = []
        self._tasks = set()
        self._home = running_loop()  # the kernel's loop (None in plain Python)

    def _at_home(self, handler: Callable[..., object], *args: Any) -> None:
        """Call ``handler(*args)`` on the loop this widget was made on.

        Now when this is it (or there is none), else handed over to it (a page's message that
        arrived on a kernel subshell's thread).
        """
        home = getattr(self, "_home", None)
        if home is not None and running_loop() is not home and not home.is_closed():
            home.call_soon_threadsafe(handler, *args)
            return
        handler(*args)

    @property
    def context(self) -> SessionContext:
        """The session context this widget shows."""
        return self._ctx

    async def wait_idle(self) -> None:
        """Wait until the actions this widget scheduled on the kernel's loop have ended.

        Also those they scheduled in turn. For notebooks and tests that go on only once a
        click has taken effect::

            nav.children[1].click()
            await nav.wait_idle()
        """
        import asyncio

        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _own(self, *widgets: Any) -> None:
        """Widgets this one created and closes with itself."""
        self._owned.extend(widgets)

    def _share(self, *widgets: Any) -> None:
        """Shared widgets this one embeds: ``release()``d (not closed) with itself."""
        self._shared = [*getattr(self, "_shared", ()), *widgets]

    def _watch(self, handler: Callable[[Any], object], names: Names) -> None:
        self._ctx.observe_safely(handler, names)
        self._observed.append((handler, names))

    # -- dispatch ------------------------------------------------------------------------------

    def _dispatch(
        self,
        action: Callable[[], Any],
        aaction: Callable[[], Coroutine[Any, Any, Any]],
        done: Callable[[], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[None] | None:
        """Run an action: scheduled on the kernel's loop when there is one, else at once.

        A failure is given to ``failed`` (the widget shows it in place), else reported in
        ``ctx.error``; a traceback goes to the log. ``done`` runs last either way. Returns the
        scheduled task (awaiting it waits for the action and its ``done``; it never raises),
        or None when the action already ran."""
        import asyncio  # here, not at module level: the package imports faster

        def report(exc: BaseException) -> None:
            if failed is None:
                report_failure(self._ctx, exc)
            else:
                self._safely(lambda: failed(exc))

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            try:
                action()
            except Exception as exc:
                report(exc)
            finally:
                self._safely(done)
            return None
        return self._schedule(aaction, report, done)

    def _schedule(
        self,
        aaction: Callable[[], Coroutine[Any, Any, Any]],
        failed: Callable[[BaseException], None],
        done: Callable[[], None] | None = None,
    ) -> asyncio.Task[None] | None:
        """Schedule ``aaction()`` as a task on the running loop, referenced until it ends.

        The task reports its failure with ``failed`` (it never raises), then calls ``done``.
        """
        import asyncio

        async def run() -> None:
            try:
                await aaction()
            except Exception as exc:
                failed(exc)
            finally:
                self._safely(done)

        try:
            task = asyncio.ensure_future(run())
        except Exception as exc:
            failed(exc)
            self._safely(done)
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _safely(self, callback: Callable[[], None] | None) -> None:
        if callback is None:
            return
        try:
            callback()
        except Exception as exc:
            report_failure(self._ctx, exc)

    def _guard(self, handler: Callable[..., object]) -> Callable[..., None]:
        """Wrap a button callback so that nothing escapes it, run on the widget's loop."""

        def safely(*args: Any) -> None:
            try:
                handler(*args)
            except Exception as exc:
                report_failure(self._ctx, exc)

        def guarded(*args: Any) -> None:
            self._at_home(safely, *args)

        return guarded

    # -- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop observing the context, close the widgets this one made, then close itself."""
        for handler, names in getattr(self, "_observed", ()):
            self._ctx.unobserve_safely(handler, names)
        if hasattr(self, "_observed"):
            self._observed.clear()
        for widget in getattr(self, "_owned", ()):
            close_widget(widget)
        if hasattr(self, "_owned"):
            self._owned.clear()
        for widget in getattr(self, "_shared", ()):
            widget.release()
        self._shared = []
        layout = getattr(self, "layout", None)
        super().close()  # type: ignore[misc]
        if layout is not None:
            layout.close()


def close_widget(widget: Any) -> None:
    """Close a widget and the Layout/Style it created (ipywidgets leaves those registered)."""
    parts = [getattr(widget, "layout", None), getattr(widget, "style", None)]
    widget.close()
    for part in parts:
        if part is not None and hasattr(part, "close"):
            part.close()


def close_tree(widget: Any) -> None:
    """Close ``widget`` and every widget inside it.

    Boxes do not close their children; this package's widgets close what they made themselves.
    """
    if isinstance(widget, ContextView):
        widget.close()
        return
    for child in tuple(getattr(widget, "children", ())):
        close_tree(child)
    close_widget(widget)
