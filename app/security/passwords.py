"""Password hashing with Argon2id (argon2-cffi).

The hasher is built once per app from its config (``app.extensions``), so its cost
is set in one place and lowered for tests.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    hasher: PasswordHasher = current_app.extensions["password_hasher"]
    return hasher


def hash_password(password: str) -> str:
    """Return a salted Argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises on a mismatch."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)


def verify_against_dummy(password: str) -> None:
    """Spend the time of a real verification, for an email that has no account.

    Answering an unknown email faster than a wrong password would tell an
    attacker which emails are registered.
    """
    dummy: str | None = current_app.extensions.get("dummy_password_hash")
    if dummy is None:
        dummy = current_app.extensions["dummy_password_hash"] = hash_password("dummy password")
    verify_password(dummy, password)
