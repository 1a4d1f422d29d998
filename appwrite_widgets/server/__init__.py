"""Embedded, protocol-faithful Appwrite 1.9.6-compatible server (Account, Users, Teams sessions).

Imports nothing from the client, context or widgets layers. The public entry point is
:class:`appwrite_widgets.server.local.LocalServer`.

Deliberate differences from a real Appwrite 1.9.6 (everything else follows its protocol):

* Extension (Appwrite Cloud 2.4 / Python SDK 27): ``DELETE /account/sessions`` with body
  ``{"current": false}`` keeps the calling session and deletes all the others.
* Bodies over 1 MiB are refused with 400 ``general_argument_invalid`` (Appwrite only emits
  whitelisted status codes; 413 is not one of them).
* One project per server, no console project: a missing ``X-Appwrite-Project`` is 404
  ``project_not_found``. A data file is bound to the project that created it (a server under
  another project ID refuses to start): its tokens must not open another project.
  ``X-Fallback-Cookies`` is sent unless Origin/Referer is on the API's site.
* Origins: one list per server (``LocalServer(origins=...)``, ``serve --origin``) instead of
  the project's web platforms (there is no console to register them in). An entry is a
  hostname (any scheme and port, ``*.`` for subdomains, as a platform) or an exact
  ``scheme://host[:port]``; the default lists pages on this machine (localhost, loopback
  addresses), and the server's own host is always listed, so a local notebook works with no
  setup. ``null`` never matches. As in Appwrite, a request with
  an unlisted ``Origin`` and no API key is refused (403 ``general_unknown_origin``; the message
  names the option) and gets no ``Access-Control-Allow-Origin``.
* ``X-Forwarded-For`` is believed only from ``trusted_proxies`` (none by default; Appwrite
  trusts its header from anyone): the rightmost address no trusted proxy added, and only when
  every hop is an IP address, else the peer address. Rotating the header thus cannot escape a
  per-IP rate limit or plant text as a session's ``ip``.
* Rate-limit counters live in memory, at most 100,000 of them (expired windows, then the oldest,
  are dropped first), so a flood of distinct emails or addresses cannot exhaust memory; they
  reset on restart.
* ``PATCH /account/sessions/{id}`` on an expired session is 404 ``user_session_not_found``
  like a deleted one. Appwrite 1.9.6 extends it (its handler finds the session by ID without
  looking at the expiry), which revives the old token.
* Only the first 512 characters of a User-Agent are parsed and stored, so a huge agent costs
  no more than an ordinary one (device fields are parsed once, when the session is created).
* Slow clients: request headers must arrive within 10 s and the body within 30 s, or the
  connection is closed, so stuck clients cannot hold sockets; beyond 200 connections uvicorn
  answers a plain-text 503.
* ``DELETE /users/{userId}/sessions/{sessionId}`` enforces ownership as on Appwrite ``main``.
* No JWTs, OAuth, MFA, phone/magic-URL tokens, email delivery or GeoIP (``countryCode`` is
  ``"--"``). ``PATCH /users/{userId}/status`` exists so blocking (403 ``user_blocked``) works.
* Search is an approximation of MariaDB full text: the phrase as a substring, or every word as
  a prefix of a token of id/email/name/phone/``label:<name>``.
"""

from __future__ import annotations

APPWRITE_VERSION = "1.9.6"

__all__ = ["APPWRITE_VERSION"]
