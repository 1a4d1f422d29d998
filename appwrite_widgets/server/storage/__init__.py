"""SQLite persistence: one :class:`~.store.Store` owning a repository per table group."""
