"""What the state raises: one line the user reads, never a database traceback."""


class StateError(RuntimeError):
    """The state is unusable (corrupt, locked, unwritable, or from a newer newscrawl)."""


class AlreadyRunning(RuntimeError):
    """Another process holds the source's run lock."""
