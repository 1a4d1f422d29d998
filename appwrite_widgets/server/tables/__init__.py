"""TablesDB: databases, tables, columns and rows, their queries and permissions.

Also served under the legacy Databases names (:mod:`.legacy`).
"""
