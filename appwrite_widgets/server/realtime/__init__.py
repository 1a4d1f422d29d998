"""Realtime: the ``/v1/realtime`` WebSocket, its hub, subscription queries and event names."""
