"""``Permission`` and ``Role``: the permission strings of Appwrite's SDKs.

``Permission.read(Role.team("admins", "owner"))`` is ``'read("team:admins/owner")'``, exactly
what the official SDKs build; the server checks the grammar (§16.6).
"""

from __future__ import annotations

from appwrite_widgets.client._errors import InvalidInputError

__all__ = ["Permission", "Role"]


def _part(value: object, what: str, *, optional: bool = False) -> str:
    if not isinstance(value, str) or (not value and not optional) or '"' in value:
        raise InvalidInputError(f"{what} must be a non-empty string without quotes.")
    return value


class Permission:
    """Permission strings: ``Permission.delete(Role.label("admin"))``."""

    @staticmethod
    def read(role: str) -> str:
        """``read("<role>")``."""
        return f'read("{_part(role, "role")}")'

    @staticmethod
    def write(role: str) -> str:
        """``write("<role>")`` (create + update + delete on tables, update + delete on rows)."""
        return f'write("{_part(role, "role")}")'

    @staticmethod
    def create(role: str) -> str:
        """``create("<role>")`` (tables only)."""
        return f'create("{_part(role, "role")}")'

    @staticmethod
    def update(role: str) -> str:
        """``update("<role>")``."""
        return f'update("{_part(role, "role")}")'

    @staticmethod
    def delete(role: str) -> str:
        """``delete("<role>")``."""
        return f'delete("{_part(role, "role")}")'


class Role:
    """Role strings: who a permission is for."""

    @staticmethod
    def any() -> str:
        """Everyone, signed in or not."""
        return "any"

    @staticmethod
    def guests() -> str:
        """Only callers without a session."""
        return "guests"

    @staticmethod
    def users(status: str = "") -> str:
        """Every signed-in user (``status``: ``"verified"`` or ``"unverified"``)."""
        status = _part(status, "status", optional=True)
        return f"users/{status}" if status else "users"

    @staticmethod
    def user(id: str, status: str = "") -> str:
        """One user by ID (``status``: ``"verified"`` or ``"unverified"``)."""
        user_id = _part(id, "id")
        status = _part(status, "status", optional=True)
        return f"user:{user_id}/{status}" if status else f"user:{user_id}"

    @staticmethod
    def team(id: str, role: str = "") -> str:
        """Members of a team, or only those with a team ``role`` (e.g. ``"owner"``)."""
        team_id = _part(id, "id")
        role = _part(role, "role", optional=True)
        return f"team:{team_id}/{role}" if role else f"team:{team_id}"

    @staticmethod
    def member(id: str) -> str:
        """One team membership by ID."""
        return f"member:{_part(id, 'id')}"

    @staticmethod
    def label(name: str) -> str:
        """Users with this label (e.g. ``"admin"``)."""
        return f"label:{_part(name, 'name')}"
