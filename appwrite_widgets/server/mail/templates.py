"""The words of each message the server sends: subjects (as Appwrite's) and bodies.

The bodies are this project's own short texts; the code or link sits on a line of its own.
"""

from __future__ import annotations

import html as _html

__all__ = ["KINDS", "html", "subject", "text"]

_SUBJECTS = {
    "email-otp": "OTP for {project} Login",
    "magic-url": "{project} Login",
    "recovery": "Password Reset for {project}",
    "verification": "Account Verification for {project}",
}
_INTROS = {
    "email-otp": "Your one-time code to sign in to {project}:",
    "magic-url": "Open this link to sign in to {project}:",
    "recovery": "Open this link to choose a new password for {project}:",
    "verification": "Open this link to verify your email address for {project}:",
    "invitation": "You are invited to join a team on {project}. Open this link to accept:",
}
_VALIDITY = {
    "email-otp": "The code is valid for 15 minutes and works once.",
    "invitation": "The link works once.",
}
KINDS = tuple(_INTROS)
"""Every kind of message."""


def subject(kind: str, project: str) -> str:
    """Appwrite's subject line for a ``kind`` of message of ``project``."""
    return _SUBJECTS[kind].format(project=project)


def _parts(kind: str, project: str, phrase: str) -> tuple[str, str, str]:
    intro = _INTROS.get(kind, _INTROS["invitation"]).format(project=project or "Appwrite")
    shown = f"Security phrase: {phrase}" if phrase else ""
    validity = _VALIDITY.get(kind, "The link is valid for 1 hour and works once.")
    return intro, shown, validity


def text(kind: str, project: str, secret: str, phrase: str = "") -> str:
    """The plain-text body: ``secret`` (the code or the link) on a line of its own."""
    intro, phrase, validity = _parts(kind, project, phrase)
    lines = [intro, "", secret, ""]
    if phrase:
        lines += [phrase, ""]
    lines += [validity, "If you did not ask for this, ignore this message."]
    return "\n".join(lines) + "\n"


def html(kind: str, project: str, secret: str, phrase: str = "") -> str:
    """The HTML body (every value escaped)."""
    intro, phrase, validity = _parts(kind, project, phrase)
    esc = _html.escape
    if kind == "email-otp":
        middle = f"<p><strong>{esc(secret)}</strong></p>"
    else:
        middle = f'<p><a href="{esc(secret, quote=True)}">{esc(secret)}</a></p>'
    extra = f"<p>{esc(phrase)}</p>" if phrase else ""
    return (
        f"<!doctype html><html><body><p>{esc(intro)}</p>{middle}{extra}"
        f"<p>{esc(validity)} If you did not ask for this, ignore this message.</p></body></html>"
    )
