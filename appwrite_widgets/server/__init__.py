"""Embedded, protocol-faithful Appwrite 1.9.6-compatible server (Account, Users, Teams sessions).

Imports nothing from the client, context or widgets layers. The public entry point is
:class:`appwrite_widgets.server.local.LocalServer`.

Deliberate differences from a real Appwrite 1.9.6 (everything else follows its protocol),
each with its reason:

* Extension (Appwrite Cloud 2.4 / Python SDK 27): ``DELETE /account/sessions`` with body
  ``{"current": false}`` keeps the calling session and deletes all the others. Reason: the
  SDK the project uses sends it.
* Bodies over 1 MiB are refused with 400 ``general_argument_invalid`` (Appwrite only emits
  whitelisted status codes; 413 is not one of them). Reason: bounded memory per request.
* One project per server, no console project: a missing ``X-Appwrite-Project`` is 404
  ``project_not_found``. A data file is bound to the project that created it (a server under
  another project ID refuses to start): its tokens must not open another project.
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
  connection is closed, so stuck clients cannot hold sockets; beyond 200 HTTP connections
  uvicorn answers a plain-text 503 (Realtime sockets are not counted: they have their own
  budget, below).
* ``DELETE /users/{userId}/sessions/{sessionId}`` enforces ownership as on Appwrite ``main``.
  Reason: 1.9.6 deleting another user's session by ID is a bug fixed upstream.
* No phone tokens, SMS or GeoIP (``countryCode`` is ``"--"``); ``PUT
  /account/sessions/phone`` accepts the other one-time tokens only; an MFA ``phone``
  challenge is 503 ``general_phone_disabled`` (Appwrite without an SMS provider). Reason:
  offline server.
* Mail without SMTP: every message Appwrite would send (sign-in codes and links, recovery,
  verification, team invitations, with the same links, and an MFA ``email`` challenge's
  6-digit code) goes to the in-memory ``LocalServer.outbox`` of the process running the
  server, never logged or stored; hence
  no 503 ``general_smtp_disabled``. With ``LocalServer(smtp=...)`` / ``serve --smtp`` it is
  sent over SMTP before the route answers (Appwrite queues it for a worker); a failed
  delivery is logged without the message and the route still succeeds, as with Appwrite's
  worker. Subjects are Appwrite's; the short bodies are this project's. Reason: offline
  server, secrets stay in memory; a local mail catcher for tests and the demo.
* Redirect URLs (``url``, ``success``, ``failure``, the mock's ``redirect_uri``): an http(s)
  URL whose host is on the origin list, or the ``exp`` / ``appwrite-callback-<project>``
  schemes; browser-extension schemes are not accepted and the 400 names the server option.
  Without ``url``/``success``/``failure``, the link or redirect goes to Appwrite's console
  page on the address the server listens on (never the request's ``Host``, which a caller
  chooses), and the deprecated session-secret parameters of the console success page are
  not added. Reason: no console domain; no secret in a URL to a page that does not exist.
* Email codes and magic links look the email up and store it lower-cased (Appwrite: as
  sent); a ``userId`` already taken by another email is 409 ``user_already_exists``
  (Appwrite: 500). Their per-email limit is counted after the route's per-IP one
  (``X-RateLimit-*`` shows the per-IP window). Reason: one email, one user; no 500s.
* The OAuth2 ``state`` is signed (a key derived from the data file's), expires after an
  hour and is taken once: a forged, changed, expired or replayed state is a 400 error page
  (Appwrite trusts any JSON that comes back, answers 500 for an undecodable one and uses the
  project URL without one). Reason: only act on sign-ins this server started.
* OAuth2 providers are ``github``, ``oidc``, ``mock`` and ``mock-unverified``, configured by
  the operator (``LocalServer(oauth2=...)``, ``serve --oauth2 FILE.json``); Appwrite's other
  providers are 412 ``project_provider_disabled``. ``--seed demo`` enables ``mock``.
  Reason: no console; the providers a local server can be tested against.
* The ``mock`` provider sends the browser to the server as the browser reached it and the
  server calls its token and user routes at the address it listens on (Appwrite hard-codes
  ``http://localhost``). Reason: the embedded server listens on any port.
* GitHub's 200 answer without an access token (``error=bad_verification_code``) goes to
  the failure page as ``user_oauth2_bad_request`` (Appwrite goes on with an empty token and
  ends on an error page); a provider error that echoes the client secret shows it masked.
  Reason: a clear error; the secret is never shown.
* OAuth2 sessions carry no provider tokens (``providerAccessToken`` etc. are ``""``): they
  are on the identity (``GET /account/identities``), as in Appwrite. The session flow also
  applies the per-user session cap (Appwrite skips it there). Reason: secrets stored once;
  bounded sessions.
* No Realtime events for one-time tokens, recovery, verification or identities (Appwrite
  publishes ``users.*.tokens|recovery|verification|identities.*``); sessions they create
  publish as usual. Reason: the listener of this project needs session events only.
* Invitations from a session check the owner role before creating the invitee: Appwrite
  creates the user for an unknown email first and then answers 401 to a non-owner, which
  lets any member reserve an email address. Reason: issue 14 item 7.
* A re-invite confirmed by an API key leaves ``total`` consistent (it is always the count of
  confirmed memberships); Appwrite does not increment it there. Reason: no stored counter.
* ``POST /account/jwts`` / ``POST /users/{id}/jwts`` with ``duration: 0`` answer 400
  ``general_argument_invalid``; Appwrite passes validation, then fails with a 500. Reason:
  bad input gets a clear 400, never a 500.
* JWTs are signed with a random per-data-file key (kept in the SQLite file), not
  ``_APP_OPENSSL_KEY_V1``; they survive restarts of the same data file. Reason: there is no
  server environment to take a key from.
* ``GET /account/logs`` keeps the newest 1000 entries per user and records only the
  session and user events named in the protocol notes, synchronously (Appwrite's audit
  worker is asynchronous and keeps entries for a retention period). Actions done with an
  API key are not filed under the user, as on Appwrite. Reason: bounded storage, no worker.
* ``GET /teams/{id}/logs`` keeps the newest 1000 entries per team (team create/update,
  membership create/update/delete, written synchronously; they go with the team). A prefs
  update is listed as ``team.update``: Appwrite files it under a resource that never matches,
  so it never shows. Reason: bounded storage, no worker; the log tells what changed.
* ``DELETE /account`` also closes the user's Realtime sockets (Appwrite publishes no event and
  leaves them open). Reason: a deleted user hears nothing more, as after ``DELETE /users/{id}``.
* ``LocalServer(fast_hashing=True)`` (used by the test suite) hashes sign-up passwords with
  Appwrite's lighter Argon2 option set; ``hashOptions`` always describe the stored hash.
  The default is Appwrite's (64 MiB, 4 passes, 3 lanes). Reason: test speed.
* Password hashing is bounded and fair: at most four Argon2 runs at a time (``hash_slots``),
  at most 64 more waiting (``hash_waiting``; beyond, 503 ``general_server_error`` "The server
  is busy checking other passwords …"), at most eight places per client address (429), the
  free slots handed to the waiting addresses in turn. A password check (email sign-in, password
  and email changes) and a one-time secret check (``POST /account/sessions/token``, ``PUT
  /account/sessions/magic-url|phone``, ``PUT /account/recovery``) also count per address: 30 a
  minute together (429 ``general_rate_limit_exceeded``; API keys and ``rate_limits=False``
  excepted). Appwrite counts email sign-ins per email and one-time secrets per user (10 an
  hour each), never per address alone. Reason: 40 sign-ins with unknown emails from one
  address made another address's sign-in take 17 s instead of 0.4 s (issue 22 item 6); one
  address could guess the 6-digit emailed codes of many users at 10 an hour each.
* An unknown email is verified against a dummy hash of the server's sign-up cost, so it takes
  as long as a wrong password; Appwrite answers an unknown email without hashing (its timing
  tells which emails have accounts). Reason: no account enumeration by timing.
* Search is an approximation of MariaDB full text: the phrase as a substring, or every word as
  a prefix of a token of id/email/name/phone/``label:<name>``. Reason: SQLite, no full text.
* Users converted from anonymous by ``PATCH /account/email`` show an email target (Appwrite
  creates none then). Reason: targets are derived from the email, not stored.
* MFA, stricter than Appwrite 1.9.6 on purpose (reason: a session that has shown only the
  password must read nothing, mint nothing and hear nothing, issue 25):
  the minimum-factors rule (``http/factors.py``) also holds for a JWT bound to such a session
  and for Realtime, where such a session is a guest and its ``authentication`` message is
  refused, and an open socket whose session falls a factor short (MFA turned on elsewhere)
  is closed (Appwrite checks neither); a TOTP code is accepted once, its 30-second window is
  then used up (Appwrite accepts it again in that window, also for another challenge:
  replay); a challenge expires after its hour (``expire``, never checked by Appwrite) and a
  user keeps at most 10 open ones; recovery codes are compared exactly (Appwrite's
  ``in_array`` compares numeric-looking strings as numbers).
* MFA challenge factors are matched without regard to case and stored in Appwrite's spelling,
  so the SDKs' ``recoverycode`` completes with a recovery code. Appwrite 1.9.6 stores
  ``recoverycode`` and then never matches it, so every SDK recovery-code challenge fails
  there (appwrite/appwrite#10740). Reason: a recovery code must work (once) through the SDKs.
* MfaFactors also carries ``custom: false``: the Python SDK 27's model requires that Cloud
  field and cannot parse a 1.9.6 answer without it. ``GET /users/{id}/mfa/factors`` reports
  ``recoveryCode`` (Appwrite 1.9.6 never computes it: always false). Reason: SDK
  compatibility; an admin sees whether codes are left.
* MFA Realtime events carry the Account model, never a TOTP secret or recovery codes
  (Appwrite publishes the route's answer, which holds them). The TOTP issuer is the project
  ID (there is no project name). Where Appwrite 1.9.6 fails with a 500, a clear error:
  enrolling TOTP without an email is 400 ``user_email_not_found``; a TOTP challenge without
  an authenticator is 401 ``user_invalid_token``; with a JWT, ``PATCH /account/mfa``, TOTP
  verification, challenges and the recent-challenge check use the session the token is bound
  to (none: 401 ``user_challenge_required``, 404 ``user_session_not_found`` on a challenge).
  An unknown path answers 404 to a session short of factors (Appwrite: 401
  ``user_more_factors_required``, its catch-all route being in the ``api`` group).
* Realtime caps (Appwrite 1.9.6 has none beyond 64,000-byte frames, 32 messages a minute per
  socket and 128 handshakes a minute per address; its only query nesting limit is JSON's 512
  levels): a connection holds at most 100 subscriptions (a ``subscribe`` message at most 100
  items), 500 channels, 200 queries and 500 query conditions (``and``/``or`` included: what a
  publish evaluates for it); a subscription at most 100 channels and 100 queries; a query is at
  most 4,096 characters with ``and``/``or`` nested at most 10 deep. Over a cap: error 1003
  naming it, nothing of that message stored, the socket stays open. Reason: one guest socket
  re-sending one ``subscriptionId`` grew it without bound and blocked the event loop for
  seconds, and a query nested 400 deep overflowed the stack inside every row publish
  (issue 22 items 1-2).
* Realtime sockets have a budget of their own: 500 open at once, 32 per client address (the
  address rate limits use); beyond it the handshake gets error 1013 and the socket closes with
  1013 (try again later). A socket that sends nothing for 120 s, not even the ``ping`` Appwrite's
  SDKs send every 20 s, is closed (1000, "Idle for 120 s"). Appwrite: up to a million sockets,
  none per address, no idle close. ``LocalServer(realtime_sockets=...,
  realtime_sockets_per_address=..., realtime_idle_timeout=...)`` changes them. Reason: idle
  sockets from one address shared HTTP's connection cap and turned every request into a 503
  (issue 22 item 3); 120 s leaves room for browsers that throttle a hidden tab's timers to
  once a minute.
* Realtime roles of open sockets follow the user: recomputed on membership events and on a
  session's team create (as Appwrite), and also on every ``users.<U>.update`` event (labels,
  status, email verification) and, after its ``delete`` event, for a deleted team's former
  members; a blocked or deleted user's sockets close. Appwrite 1.9.6 recomputes only on
  membership events and team create, so a removed label or a deleted team keeps delivering
  rows to an open socket until it reconnects. The recompute keeps each channel's own queries
  (Appwrite's rebuild gives the whole subscription the queries of its first channel). Reason:
  REST already refuses those reads (issue 22 item 4).
* Realtime: a query that is not a string answers 1003 "Invalid query: Query must be a JSON
  string." (Appwrite: a PHP type error, code 0 "Server Error"); deleting a team's primary
  member publishes that membership's ``delete`` (Appwrite names another member's membership).
  Reason: clear errors, events about what happened.
* TablesDB (``/tablesdb``): databases, tables, columns (varchar, string, integer, boolean,
  datetime) and rows with Appwrite's permissions, also under the legacy ``/databases``
  names (collections, attributes, documents; a database is always of type ``tablesdb``); no
  indexes, transactions, relationships or other column types. Columns are built synchronously (202
  with ``status: "available"``). Row ``search`` needs no full-text index (every word must
  appear, case-insensitively); ``equal`` is case-sensitive (MariaDB's collation is not).
  Reason: one SQLite file; the subset a small app needs (issue 16).
* A row the caller cannot read is absent to them: a ``cursorAfter``/``cursorBefore`` on it is
  400 ``general_cursor_not_found`` and a PATCH or DELETE by a caller who may neither read nor
  change it is 404 ``row_not_found``, word for word as for an absent row (an increment or
  decrement: 404 ``column_not_found``, Appwrite's answer for an absent row there). An upsert
  of such a row stays 401: its absent-row answer is a create, so nothing is hidden by a 404.
  Appwrite loads both rows without a read check: the cursor is an ordering oracle (a hidden
  value recovered in ~20 probes) and the 401 tells that the row exists. A readable row the
  caller may not change is 401 with the generic message (no roles named), as in Appwrite.
  Reason: issue 22 item 7.
* TablesDB writes added in issue 22: a column update whose route names another type than the
  column's is 400 ``column_type_invalid`` (Appwrite's check never fires and changes the column
  anyway). Increment/decrement serve integer columns (no float columns here), count a null as
  0, refuse a fractional step on an integer column (400) and keep the result within the
  column's own ``min``/``max`` (400 ``column_limit_exceeded``; Appwrite checks only the
  request's ``max``/``min``); a disabled database answers 404 to them, as to every other
  non-key route (Appwrite does not check it there). An upsert that changes nothing still
  needs the ``update`` role (Appwrite skips it before checking). A bulk create (``rows``)
  writes all its rows in one transaction or none. Reason: a row never leaves its column's
  rules; no partial writes.
* A row ``search`` holds at most 100 words (Appwrite: no word cap, only the 4,096-character
  query), and any query SQLite refuses as too large is 400 ``general_query_invalid``. Reason:
  each word is one SQL condition and SQLite bounds an expression's depth (1,000); bad input
  gets a clear 400, never a 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .local import LocalServer
    from .mail.catcher import MailCatcher
    from .models import APPWRITE_VERSION

__all__ = ["APPWRITE_VERSION", "LocalServer", "MailCatcher"]


def __getattr__(name: str) -> object:
    # Lazy: ``serve``'s option parsing imports this package without starlette or uvicorn.
    if name == "LocalServer":
        from .local import LocalServer

        return LocalServer
    if name == "MailCatcher":  # needs aiosmtpd (the demo and test extras)
        from .mail.catcher import MailCatcher

        return MailCatcher
    if name == "APPWRITE_VERSION":
        from .models import APPWRITE_VERSION

        return APPWRITE_VERSION
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
