"""HTML answers of browser-navigation routes (OAuth2): the error page and redirects.

Appwrite renders errors of routes labelled ``error`` with ``views/general/error.phtml``;
this page shows the same facts (project, message, type, code), every value escaped.
"""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse, Response

from .errors import AppwriteError

__all__ = ["HTML_TYPE", "error_page", "redirect"]

HTML_TYPE = "text/html; charset=UTF-8"
NO_STORE = {
    "Cache-Control": "no-cache, no-store, must-revalidate",
    "Expires": "0",
    "Pragma": "no-cache",
}


def error_page(err: AppwriteError, project: str) -> Response:
    """The HTML error page for ``err`` (status ``err.code``)."""
    esc = html.escape
    body = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{esc(project)} - Error</title></head><body>"
        f"<h1>Error {err.code}</h1><p>{esc(err.message)}</p>"
        f"<p>Type: <code>{esc(err.type)}</code></p></body></html>"
    )
    return HTMLResponse(body, status_code=err.code, headers=NO_STORE, media_type=HTML_TYPE)


def redirect(status: int, headers: dict[str, str]) -> Response:
    """An empty redirect with Appwrite's HTML ``Content-Type`` (SDKs read it on a 301)."""
    return Response(b"", status_code=status, headers={"Content-Type": HTML_TYPE, **headers})
