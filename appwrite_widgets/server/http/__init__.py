"""The HTTP side of the server: Appwrite's request pipeline and its parts.

Routing and the per-request context, authentication (sessions, API keys, JWTs), CORS and
cookies, parameters, the error catalogue, origins, client addresses, User-Agent parsing,
slow-client limits and the request log.
"""
