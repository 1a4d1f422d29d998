"""SQLite persistence: one :class:`~.database.Store` owning a repository per table group."""
