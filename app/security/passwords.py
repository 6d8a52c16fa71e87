"""Password hashing with Argon2id (argon2-cffi).

One ``Passwords`` object per app, built from its config (``app.extensions``), so
the cost is set in one place and lowered for tests.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hash and verify passwords with the app's Argon2id parameters."""

    def __init__(self, *, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        self._dummy_hash: str | None = None

    def hash(self, password: str) -> str:
        """A salted Argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; never raises on a mismatch."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)

    def prepare(self) -> None:
        """Compute the dummy hash now (gunicorn's post_worker_init calls this), not
        during the first sign-in for an unknown email, which would then be slower."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hash("dummy password")

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, for an email that has no account.

        Answering an unknown email faster than a wrong password would tell an
        attacker which emails are registered.
        """
        self.prepare()
        assert self._dummy_hash is not None
        self.verify(self._dummy_hash, password)
