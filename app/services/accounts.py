"""User accounts: sign-up, sign-in, passwords, and who may change whose account.

Every rule about accounts is here, whoever asks: the API, the CLI, a job or the
shell. The caller passes the session it commits and, where a rule depends on
it, the acting user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.exceptions import (
    AuthenticationError,
    ConflictError,
    InvalidFieldsError,
    PermissionDeniedError,
)
from app.models.user import INVISIBLE_IN_EMAIL, User, has_invisible_characters, normalize_email
from app.repositories.refresh_token import RefreshTokenRepository
from app.repositories.user import EMAIL_TAKEN, UserRepository
from app.security.password_rules import password_problems
from app.services.settings import AuthSettings

BAD_CREDENTIALS = "Invalid email or password."
SIGN_IN_REQUIRED = "Authentication required: send Authorization: Bearer <token>."
NOT_ALLOWED = "You do not have permission to do this."
LAST_SUPERUSER = (
    "This is the last active superuser: make another user a superuser first "
    "(flask createsuperuser works too)."
)
# Fields of an account that only some users may change (see ``edit``).
STAFF_FIELDS = ("is_active", "is_staff")


def is_staff(user: User) -> bool:
    """Staff and superusers manage accounts."""
    return user.is_staff or user.is_superuser


class AccountService:
    def __init__(
        self, session: Session, settings: AuthSettings, *, signup_enabled: bool = False
    ) -> None:
        self.session = session
        self.settings = settings
        self.signup_enabled = signup_enabled
        self.users = UserRepository(session)
        self.refresh_tokens = RefreshTokenRepository(session)

    # -- creating accounts ---------------------------------------------------------

    def sign_up(self, data: Mapping[str, Any], *, actor: User | None) -> User:
        """A new account: anyone's sign-up while sign-up is on, otherwise staff only."""
        if not self.signup_enabled:
            if actor is None:
                raise AuthenticationError(SIGN_IN_REQUIRED)
            if not is_staff(actor):
                raise PermissionDeniedError(NOT_ALLOWED)
        return self.create_user(**data)

    def create_user(
        self, *, email: str, password: str | None, full_name: str = "", is_active: bool = True
    ) -> User:
        """Add a user. The password must pass the rules and is stored hashed; ``None``
        makes an account that cannot sign in. ``ConflictError`` if the email is taken."""
        self._check_email(email)
        if self.users.get_by_email(email) is not None:
            raise ConflictError(EMAIL_TAKEN, field="email")
        user = User(email=email, full_name=full_name, is_active=is_active)
        if password is not None:
            user.password_hash = self._hash(password, email=user.email)
        return self.users.add(user)

    def create_superuser(self, *, email: str, password: str, full_name: str = "") -> User:
        """A superuser (staff too), as ``flask createsuperuser`` makes."""
        user = self.create_user(email=email, password=password, full_name=full_name)
        return self.users.update(user, {"is_staff": True, "is_superuser": True})

    # -- signing in and passwords --------------------------------------------------

    def authenticate(self, email: str, password: str) -> User:
        """The active user with this email and password; ``AuthenticationError`` with
        one message for every failure, after the same hashing work in each case."""
        passwords = self.settings.passwords
        user = self.users.get_by_email(email)
        if user is None or user.password_hash is None:
            passwords.verify_dummy(password)
            raise AuthenticationError(BAD_CREDENTIALS)
        if not passwords.verify(user.password_hash, password) or not user.is_active:
            raise AuthenticationError(BAD_CREDENTIALS)
        changes: dict[str, Any] = {"last_login": clock.now()}
        if passwords.needs_rehash(user.password_hash):
            changes["password_hash"] = passwords.hash(password)
        return self.users.update(user, changes)

    def change_password(
        self, user: User, *, current: str, new: str, keep_token_family: str | None = None
    ) -> None:
        """Set a new password after checking the current one; every refresh token
        of the user is revoked except those of ``keep_token_family``."""
        if user.password_hash is None or not self.settings.passwords.verify(
            user.password_hash, current
        ):
            raise InvalidFieldsError({"current_password": ["The current password is incorrect."]})
        password_hash = self._hash(new, email=user.email, field="new_password")
        self.refresh_tokens.revoke_for_user(user.id, now=clock.now(), keep_family=keep_token_family)
        self.users.update(user, {"password_hash": password_hash})

    def reset_password(self, user: User, password: str) -> None:
        """Set a password without the current one (an administrator's reset) and
        revoke every refresh token of the user."""
        password_hash = self._hash(password, email=user.email)
        self.refresh_tokens.revoke_for_user(user.id, now=clock.now())
        self.users.update(user, {"password_hash": password_hash})

    # -- changing and deleting accounts --------------------------------------------

    def edit(self, actor: User, target: User, changes: Mapping[str, Any]) -> User:
        """Apply a partial update of ``target`` by ``actor``.

        Only superusers touch a superuser's account (other than their own) or grant
        ``is_superuser``; only staff change ``is_active`` and ``is_staff``. The email
        must be free. Deactivating a user revokes its refresh tokens.
        """
        self._check_role_rules(actor, target, changes)
        if changes.get("is_superuser") is False or changes.get("is_active") is False:
            self._keep_a_superuser(target)
        email = changes.get("email")
        if email is not None:
            self._check_email(email)
            taken = self.users.get_by_email(email)
            if taken is not None and taken.id != target.id:
                raise ConflictError(EMAIL_TAKEN, field="email")
        if changes.get("is_active") is False and target.is_active:
            self.refresh_tokens.revoke_for_user(target.id, now=clock.now())
        return self.users.update(target, changes)

    def delete(self, actor: User, target: User) -> None:
        """Delete ``target``; a superuser only by a superuser, and never the last one."""
        self._check_role_rules(actor, target, {})
        self._keep_a_superuser(target)
        self.users.delete(target)

    # -- rules -----------------------------------------------------------------------

    def _check_role_rules(self, actor: User, target: User, changes: Mapping[str, Any]) -> None:
        if target.is_superuser and not actor.is_superuser:
            raise PermissionDeniedError("Only superusers may change a superuser.")
        for field in sorted(set(changes) & set(STAFF_FIELDS)):
            if not is_staff(actor):
                raise PermissionDeniedError(f"Only staff may change {field}.")
        if "is_superuser" in changes and not actor.is_superuser:
            raise PermissionDeniedError("Only superusers may change is_superuser.")

    def _keep_a_superuser(self, target: User) -> None:
        """``ConflictError`` (409) if ``target`` is the last active superuser, about to
        be demoted, deactivated or deleted: only the CLI could recover from that."""
        last = target.is_superuser and target.is_active
        if last and self.users.active_superuser_ids() == [target.id]:
            raise ConflictError(LAST_SUPERUSER)

    def _hash(self, password: str, *, email: str, field: str = "password") -> str:
        """Check the password rules (``InvalidFieldsError`` naming ``field``), then hash."""
        problems = password_problems(password, email=email)
        if problems:
            raise InvalidFieldsError({field: problems})
        return self.settings.passwords.hash(password)

    @staticmethod
    def _check_email(email: str) -> None:
        """Refuse an address that would be stored with an invisible character (the
        API's schemas refuse it too; this covers the CLI and the shell)."""
        if has_invisible_characters(normalize_email(email)):
            raise InvalidFieldsError({"email": [INVISIBLE_IN_EMAIL]})
