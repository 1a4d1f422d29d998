"""Embedded, protocol-faithful Appwrite 1.9.6-compatible server (Account, Users, Teams sessions).

Imports nothing from the client, context or widgets layers. The public entry point is
:class:`appwrite_widgets.server.local.LocalServer`.
"""

from __future__ import annotations

APPWRITE_VERSION = "1.9.6"

__all__ = ["APPWRITE_VERSION"]
