"""The Account, Users, Teams and Health routes (each module lists its ``routes``)."""
