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
  ``project_not_found``. Reason: there is no console to fall back to.
* ``DELETE /users/{userId}/sessions/{sessionId}`` enforces ownership as on Appwrite ``main``.
  Reason: 1.9.6 deleting another user's session by ID is a bug fixed upstream.
* No OAuth, MFA, phone/magic-URL/email-OTP tokens or GeoIP (``countryCode`` is ``"--"``);
  ``PUT /account/sessions/magic-url|phone`` accept only custom tokens. Reason: offline server.
* No mail is sent. A team owner's invitation (``POST /teams/{id}/memberships`` from a
  session) puts the message Appwrite would mail, with the same link (``membershipId``,
  ``userId``, ``secret``, ``teamId``, ``teamName`` added to ``url``), into the in-memory
  ``LocalServer.outbox`` of the process running the server; it is never logged or stored.
  Hence no 503 ``general_smtp_disabled``. ``url`` must be an absolute http(s) URL (there is
  no platform list to check its host against). Reason: offline server, secrets stay in memory.
* Invitations from a session check the owner role before creating the invitee: Appwrite
  creates the user for an unknown email first and then answers 401 to a non-owner, which
  lets any member reserve an email address. Reason: issue 14 item 7.
* A re-invite confirmed by an API key leaves ``total`` consistent (it is always the count of
  confirmed memberships); Appwrite does not increment it there. Reason: no stored counter.
* ``POST /account/jwts`` / ``POST /users/{id}/jwts`` with ``duration: 0`` answer 400
  ``general_argument_invalid``; Appwrite passes validation, then fails with a 500.
* JWTs are signed with a random per-data-file key (kept in the SQLite file), not
  ``_APP_OPENSSL_KEY_V1``; they survive restarts of the same data file.
* ``GET /account/logs`` keeps the newest 1000 entries per user and records only the
  session and user events named in the protocol notes, synchronously (Appwrite's audit
  worker is asynchronous and keeps entries for a retention period). Actions done with an
  API key are not filed under the user, as on Appwrite.
* ``LocalServer(fast_hashing=True)`` (used by the test suite) hashes sign-up passwords with
  Appwrite's lighter Argon2 option set; ``hashOptions`` always describe the stored hash.
  The default is Appwrite's (64 MiB, 4 passes, 3 lanes), at most four hashes at a time.
* Search is an approximation of MariaDB full text: the phrase as a substring, or every word as
  a prefix of a token of id/email/name/phone/``label:<name>``.
* Users converted from anonymous by ``PATCH /account/email`` show an email target (Appwrite
  creates none then). Reason: targets are derived from the email, not stored.
"""

from __future__ import annotations

APPWRITE_VERSION = "1.9.6"

__all__ = ["APPWRITE_VERSION"]
