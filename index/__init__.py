"""The archive (SQLite, the source of truth) and the Whoosh index derived from it."""
