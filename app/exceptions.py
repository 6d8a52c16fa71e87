"""Errors raised below the HTTP layer; ``app.errors`` turns each into a response.

Repositories and models raise these instead of HTTP exceptions, so they stay
usable from the CLI, the shell and tests.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``str(error)`` is a message safe to show to a client."""


class NotFoundError(DomainError):
    """The requested object does not exist."""


class ConflictError(DomainError):
    """The write would break a uniqueness rule.

    ``field`` names the input field at fault, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
