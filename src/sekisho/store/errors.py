"""What the store raises; the domain turns these into AWS errors."""


class StoreError(Exception):
    """Base of the store's own errors."""


class Conflict(StoreError):
    """A uniqueness or foreign-key constraint refused the write; nothing was written."""


class Contention(StoreError):
    """A concurrent write made this one's reads stale (PostgreSQL's serialization failure
    or deadlock); nothing was written, and running the whole operation again is safe."""
