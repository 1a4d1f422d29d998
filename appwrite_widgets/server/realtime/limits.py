"""What one Realtime connection may hold, and the socket budget (deliberate differences).

Appwrite 1.9.6 caps none of these (only its 64,000-byte frames, 32 messages a minute per
connection and 128 handshakes a minute per address); the embedded server does, so that one
guest cannot make a publish or a subscribe block the event loop, nor hold every socket.
"""

from __future__ import annotations

from dataclasses import dataclass

#: channels of one subscription (a re-sent ``subscriptionId`` counts what it already holds)
CHANNELS_PER_SUBSCRIPTION = 100
#: query strings of one subscription (over all its channels)
QUERIES_PER_SUBSCRIPTION = 100
#: subscriptions of one connection (and items of one ``subscribe`` message)
SUBSCRIPTIONS_PER_CONNECTION = 100
#: channels of one connection, over its subscriptions
CHANNELS_PER_CONNECTION = 500
#: query strings of one connection, over its subscriptions
QUERIES_PER_CONNECTION = 200
#: conditions of one connection's queries (``and``/``or`` included; a value list that cannot be
#: hashed counts each value): what a publish may evaluate for it. With the 32 sockets one
#: address may open, a publish evaluates at most 16,000 conditions (a few milliseconds)
QUERY_TERMS_PER_CONNECTION = 500
#: characters of one query string (Appwrite's limit for REST queries)
QUERY_CHARS = 4_096
#: how deep ``and``/``or`` may nest
QUERY_DEPTH = 10


@dataclass(frozen=True, slots=True)
class SocketLimits:
    """The Realtime socket budget of one server, apart from HTTP's connection cap.

    ``sockets``: open sockets in all; ``per_address``: from one client address (the one rate
    limits use); ``idle_timeout``: seconds a socket may stay silent (Appwrite's SDKs send a
    ``ping`` every 20 s) before it is closed.
    """

    sockets: int = 500
    per_address: int = 32
    idle_timeout: float = 120.0

    def __post_init__(self) -> None:
        if self.sockets < 1 or self.per_address < 1 or not self.idle_timeout > 0:
            raise ValueError("Realtime socket limits must be positive")
