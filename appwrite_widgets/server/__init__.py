"""Embedded, protocol-faithful Appwrite 1.9.6-compatible server (Account, Users, Teams sessions).

Imports nothing from the client, context or widgets layers. The public entry point is
:class:`appwrite_widgets.server.local.LocalServer`.

Deliberate differences from a real Appwrite 1.9.6 (everything else follows its protocol):

* Extension (Appwrite Cloud 2.4 / Python SDK 27): ``DELETE /account/sessions`` with body
  ``{"current": false}`` keeps the calling session and deletes all the others.
* Bodies over 1 MiB are refused with 400 ``general_argument_invalid`` (Appwrite only emits
  whitelisted status codes; 413 is not one of them).
* One project per server, no console project: a missing ``X-Appwrite-Project`` is 404
  ``project_not_found``. Every ``Origin`` is accepted (no platform registry), with CORS
  credentials; ``X-Fallback-Cookies`` is sent unless Origin/Referer is on the API's site.
* ``DELETE /users/{userId}/sessions/{sessionId}`` enforces ownership as on Appwrite ``main``.
* No JWTs, OAuth, MFA, phone/magic-URL tokens, email delivery or GeoIP (``countryCode`` is
  ``"--"``). ``PATCH /users/{userId}/status`` exists so blocking (403 ``user_blocked``) works.
* Search is an approximation of MariaDB full text: the phrase as a substring, or every word as
  a prefix of a token of id/email/name/phone/``label:<name>``.
* TablesDB (``/tablesdb``): databases, tables, columns (varchar, string, integer, boolean,
  datetime) and rows with Appwrite's permissions, also under the legacy ``/databases``
  names (collections, attributes, documents; a database is always of type ``tablesdb``); no
  indexes, transactions, relationships or other column types. Columns are built synchronously (202
  with ``status: "available"``). Row ``search`` needs no full-text index (every word must
  appear, case-insensitively); ``equal`` is case-sensitive (MariaDB's collation is not).
"""

from __future__ import annotations

APPWRITE_VERSION = "1.9.6"

__all__ = ["APPWRITE_VERSION"]
