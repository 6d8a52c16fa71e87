"""Errors raised below the HTTP layer; ``app.errors`` turns each into a response.

Services and repositories raise these instead of HTTP exceptions, so they stay
usable from the CLI, jobs, the shell and tests. Every name ends in ``Error``.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``str(error)`` is a message safe to show to a client."""

    # True for errors whose database writes must be kept (see ``unit_of_work``).
    commit = False


class NotFoundError(DomainError):
    """The requested object does not exist."""


class ConflictError(DomainError):
    """The write would break a uniqueness rule.

    ``field`` names the input field at fault, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidFieldsError(DomainError):
    """Input broke a rule that schemas cannot check (it needs the database or
    another object). ``errors`` maps field names to messages, like a 422 body."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The request has invalid fields; see errors.")
        self.errors = errors


class AuthenticationError(DomainError):
    """Missing, wrong or expired credentials."""


class TokenFamilyRevokedError(AuthenticationError):
    """The refresh was refused and its token family revoked.

    ``commit`` asks ``unit_of_work`` to keep that revocation although the
    request fails.
    """

    commit = True


class RefreshTokenReusedError(TokenFamilyRevokedError):
    """A refresh token came back after it was exchanged: its family is revoked."""


class PermissionDeniedError(DomainError):
    """Signed in, but not allowed to do this."""
