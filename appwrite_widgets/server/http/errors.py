"""Appwrite's error catalogue: each type's status and default message, and the legacy words."""

from __future__ import annotations

import re
from typing import Final

# type -> (HTTP status, default message); texts follow Appwrite's app/config/errors.php.
CATALOGUE: Final[dict[str, tuple[int, str]]] = {
    "general_unknown": (500, "Server Error"),
    "general_server_error": (500, "An internal server error occurred."),
    "general_route_not_found": (
        404,
        "Route not found. Please ensure the endpoint is configured correctly and that the API "
        "route is valid for this SDK version. Refer to the API docs for more details.",
    ),
    "general_argument_invalid": (400, "One or more arguments are invalid."),
    "general_unknown_origin": (
        403,
        "The request originated from an unknown origin. If you trust this domain, please list "
        "it as a trusted platform in the Appwrite console.",
    ),
    "general_unauthorized_scope": (
        401,
        "The current user or API key does not have the required "
        "scopes to access the requested resource.",
    ),
    "general_rate_limit_exceeded": (
        429,
        "Rate limit for the current endpoint has been exceeded. Please try again after some time.",
    ),
    "general_cursor_not_found": (
        400,
        "The cursor is invalid. This can happen if the item "
        "represented by the cursor has been deleted.",
    ),
    "general_query_invalid": (400, "The query is invalid."),
    "project_not_found": (
        404,
        "Project with the requested ID could not be found. Please check the value of the "
        "X-Appwrite-Project header to ensure the correct project ID is being used.",
    ),
    "user_unauthorized": (
        401,
        "The current user is not authorized to perform the requested action.",
    ),
    "user_not_found": (404, "User with the requested ID could not be found."),
    "user_already_exists": (
        409,
        "A user with the same id, email, or phone already exists in this project.",
    ),
    "user_blocked": (403, "The current user has been blocked."),
    "user_invalid_credentials": (401, "Invalid credentials. Please check the email and password."),
    "user_session_already_exists": (
        401,
        "Creation of a session is prohibited when a session is active.",
    ),
    "user_session_not_found": (404, "The current user session could not be found."),
    "team_not_found": (404, "Team with the requested ID could not be found."),
    "team_already_exists": (
        409,
        "Team with requested ID already exists. Please choose a different ID and try again.",
    ),
    "membership_already_confirmed": (409, "Membership is already confirmed."),
    "user_jwt_invalid": (
        401,
        "The JWT token is invalid. Please check the value of the X-Appwrite-JWT header to "
        "ensure the correct token is being used.",
    ),
    "user_jwt_and_cookie_set": (
        403,
        "JWT and cookie used in the same request. Use either `setJWT` or `setCookie`. Learn "
        "about which authentication method to use in the SSR docs: "
        "https://appwrite.io/docs/products/auth/server-side-rendering",
    ),
    "user_invalid_token": (401, "Invalid token passed in the request."),
    "user_more_factors_required": (
        401,
        "More factors are required to complete the sign in process.",
    ),
    "user_challenge_required": (
        401,
        "A recently successful challenge is required to complete this action. A challenge is "
        "considered recent for 5 minutes.",
    ),
    "user_authenticator_not_found": (404, "Authenticator could not be found on the current user."),
    "user_authenticator_already_verified": (
        409,
        "This authenticator is already verified on the current user.",
    ),
    "user_recovery_codes_already_exists": (
        409,
        "The current user already generated recovery codes and they can only be read once for "
        "security reasons.",
    ),
    "user_recovery_codes_not_found": (
        404,
        "Recovery codes could not be found on the current user.",
    ),
    "user_email_not_found": (400, "User email could not be found."),
    "user_email_not_verified": (400, "User email is not verified"),
    "general_phone_disabled": (
        503,
        "Phone provider is not configured. Please check the _APP_SMS_PROVIDER environment "
        "variable of your Appwrite server.",
    ),
    "user_email_already_exists": (
        409,
        "A user with the same email already exists in the current project.",
    ),
    "user_email_already_verified": (409, "User email is already verified"),
    "user_identity_not_found": (
        404,
        "The identity could not be found. Please sign in with OAuth provider to create "
        "identity first.",
    ),
    "user_missing_id": (400, "Missing ID from OAuth2 provider."),
    "user_oauth2_bad_request": (400, "OAuth2 provider rejected the bad request."),
    "user_oauth2_unauthorized": (401, "OAuth2 provider rejected the unauthorized request."),
    "user_oauth2_provider_error": (424, "OAuth2 provider returned some error."),
    "project_provider_disabled": (
        412,
        "The chosen OAuth provider is disabled. You can enable the OAuth provider using the "
        "Appwrite console.",
    ),
    "project_invalid_success_url": (400, "Invalid redirect URL for OAuth success."),
    "project_invalid_failure_url": (400, "Invalid redirect URL for OAuth failure."),
    "general_mock": (400, "General errors thrown by the mock controller used for testing."),
    "user_target_already_exists": (409, "A target with the same ID already exists."),
    "general_bad_request": (
        400,
        "There was an error processing your request. Please check the inputs and try again.",
    ),
    "team_invite_not_found": (404, "The requested team invitation could not be found."),
    "team_invalid_secret": (
        401,
        "The team invitation secret is invalid. Please request a new invitation and try again.",
    ),
    "team_invite_mismatch": (401, "The invite does not belong to the current user."),
    "team_membership_mismatch": (404, "The membership ID does not belong to the team ID."),
    "membership_not_found": (404, "Membership with the requested ID could not be found."),
    "database_not_found": (404, "Database with the requested ID could not be found."),
    "database_already_exists": (
        409,
        "Database with the requested ID already exists. Try again with a different ID or use "
        "ID.unique() to generate a unique ID.",
    ),
    "database_query_order_null": (
        400,
        "The order column had a null value. Cursor pagination requires all rows order column "
        "values are non-null.",
    ),
    "table_not_found": (404, "Table with the requested ID could not be found."),
    "table_already_exists": (
        409,
        "A table with the requested ID already exists. Try again with a different ID or use "
        "ID.unique() to generate a unique ID.",
    ),
    "column_not_found": (404, "Column with the requested key could not be found."),
    "column_already_exists": (
        409,
        "Column with the requested key already exists. Column keys must be unique, try again "
        "with a different key.",
    ),
    "column_default_unsupported": (
        400,
        "Default values cannot be set for array or required columns.",
    ),
    "column_limit_exceeded": (
        400,
        "The maximum number or size of columns for this table has been reached.",
    ),
    "column_type_invalid": (400, "The column '%s' type is invalid."),
    "column_invalid_resize": (
        400,
        "Existing data is too large for new size, truncate your existing data then try again.",
    ),
    "column_value_invalid": (
        400,
        "The column value is invalid. Please check the type, range and value of the column.",
    ),
    "row_not_found": (404, "Row with the requested ID could not be found."),
    "row_invalid_structure": (
        400,
        "The row structure is invalid. Please ensure the columns match the table definition.",
    ),
    "row_missing_data": (400, "The row data is missing. Try again with row data populated."),
    "row_missing_payload": (
        400,
        "The row data and permissions are missing. You must provide either row data or "
        "permissions to be updated.",
    ),
    "row_update_conflict": (409, "Remote row is newer than local."),
    "row_already_exists": (
        409,
        "Row with the requested ID already exists. Try again with a different ID or use "
        "ID.unique() to generate a unique ID.",
    ),
}


_LEGACY_WORDS = {"table": "collection", "row": "document", "column": "attribute"}
# Quoted names and IDs ("title", 'r1') are the caller's and stay as they are.
_LEGACY_RE = re.compile(r"(\"[^\"]*\"|'[^'\s]*')|\b(table|row|column)(s?)\b", re.IGNORECASE)


def legacy_text(text: str) -> str:
    """A TablesDB text in the legacy Databases API's words, keeping the capitals.

    Table → Collection, Row → Document, Column → Attribute.
    """

    def swap(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        word = _LEGACY_WORDS[m.group(2).lower()]
        return (word.capitalize() if m.group(2)[0].isupper() else word) + m.group(3)

    return _LEGACY_RE.sub(swap, text)


def legacy_type(type_: str) -> str:
    """``table_not_found`` → ``collection_not_found`` (other types are unchanged)."""
    head, _, tail = type_.partition("_")
    return f"{_LEGACY_WORDS[head]}_{tail}" if head in _LEGACY_WORDS and tail else type_


for _type, (_code, _message) in list(CATALOGUE.items()):
    if legacy_type(_type) != _type:
        CATALOGUE[legacy_type(_type)] = (_code, legacy_text(_message))


class AppwriteError(Exception):
    """An Appwrite error answer: ``type`` picks status and default message."""

    def __init__(self, type_: str, message: str | None = None, *, code: int | None = None) -> None:
        status, default = CATALOGUE[type_]
        self.type = type_
        self.code = code if code is not None else status
        self.message = message if message is not None else default
        super().__init__(self.message)


def invalid_param(name: str, reason: str) -> AppwriteError:
    """400 ``general_argument_invalid`` in Appwrite's wording."""
    return AppwriteError("general_argument_invalid", f"Invalid `{name}` param: {reason}")


def missing_param(name: str) -> AppwriteError:
    """400 for a required parameter that was not sent."""
    return AppwriteError("general_argument_invalid", f'Param "{name}" is not optional.')
