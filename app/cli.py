"""Commands added to ``flask``, and what ``flask shell`` preloads."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

# Imported for their side effect: every model and repository class is defined.
import app.models
import app.repositories  # noqa: F401
from app.checks import run_checks
from app.db import db
from app.db.base import Base
from app.db.session import get_db, ping, unit_of_work
from app.exceptions import DomainError, InvalidFieldsError
from app.repositories.base import Page, Repository
from app.repositories.user import UserRepository
from app.services.accounts import AccountService


def shell_context() -> dict[str, Any]:
    """``flask shell`` starts with ``db``, ``session``, every model and every repository."""
    names: dict[str, Any] = {"db": db, "session": get_db(), "Page": Page}
    names.update({m.class_.__name__: m.class_ for m in Base.registry.mappers})
    names.update({cls.__name__: cls for cls in _subclasses(Repository)})
    return names


def _subclasses(cls: type[Any]) -> list[type[Any]]:
    found = [cls]
    sub: type[Any]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


@click.command("wait-for-db")
@with_appcontext
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to keep trying.")
def wait_for_db(timeout: float) -> None:
    """Wait until the database answers a query (a pre-start step for containers)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ping(get_db())
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                raise click.ClickException(
                    f"Database not reachable after {timeout:g}s: {exc}"
                ) from exc
            time.sleep(1)
        else:
            click.echo("Database is up.")
            return


PASSWORD_ENV = "SUPERUSER_PASSWORD"


def _read_password(*, from_stdin: bool, env_var: str | None) -> str:
    """The new password: from stdin, from ``env_var`` (when given), or prompted
    (hidden, twice).

    Never from a command-line argument, which other users can see in ``ps``
    and which shells keep in their history.
    """
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if env_var and os.environ.get(env_var):
        return os.environ[env_var]
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _accounts(session: Session) -> AccountService:
    return AccountService(session, current_app.extensions["auth"])


def _fail_on_domain_error(exc: DomainError) -> click.ClickException:
    messages = [str(exc)]
    if isinstance(exc, InvalidFieldsError):
        messages = [f"{field}: {m}" for field, ms in exc.errors.items() for m in ms]
    return click.ClickException("\n".join(messages))


@click.command("createsuperuser")
@with_appcontext
@click.option("--email", help="The superuser's email (prompted if missing).")
@click.option("--full-name", default="", help="Optional display name.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option(
    "--no-input",
    is_flag=True,
    help=f"Never prompt: needs --email and the password in ${PASSWORD_ENV} or on stdin.",
)
def create_superuser(
    email: str | None, full_name: str, password_stdin: bool, no_input: bool
) -> None:
    """Create a superuser (staff too), like Django's createsuperuser."""
    if no_input and not email:
        raise click.UsageError("--no-input needs --email.")
    if no_input and not password_stdin and not os.environ.get(PASSWORD_ENV):
        raise click.UsageError(f"--no-input needs ${PASSWORD_ENV} or --password-stdin.")
    email = email or click.prompt("Email")
    # The environment variable is read only without prompts, as in Django.
    password = _read_password(from_stdin=password_stdin, env_var=PASSWORD_ENV if no_input else None)
    try:
        with unit_of_work() as session:
            user = _accounts(session).create_superuser(
                email=email, password=password, full_name=full_name
            )
    except DomainError as exc:
        raise _fail_on_domain_error(exc) from exc
    click.echo(f"Superuser {user.email} created (id {user.id}).")


@click.command("changepassword")
@with_appcontext
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def change_password(email: str, password_stdin: bool) -> None:
    """Set a user's password and end every sign-in of the user (its refresh and
    access tokens stop working at once)."""
    try:
        with unit_of_work() as session:
            user = UserRepository(session).get_by_email(email)
            if user is None:
                raise click.ClickException(f"No user with email {email}.")
            password = _read_password(from_stdin=password_stdin, env_var=None)
            _accounts(session).reset_password(user, password)
    except DomainError as exc:
        raise _fail_on_domain_error(exc) from exc
    click.echo(f"Password changed for {user.email}; every sign-in of it has ended.")


@click.command("check")
@with_appcontext
@click.option("--deploy", is_flag=True, help="Also check the settings for serving real users.")
def check(deploy: bool) -> None:
    """Check the database and its migrations; with --deploy, the production settings
    too, as Django's `check --deploy`. Exits 1 on errors; warnings only inform."""
    findings = run_checks(current_app, deploy=deploy)
    for level, title in (("error", "ERRORS"), ("warning", "WARNINGS")):
        found = [finding for finding in findings if finding.level == level]
        if found:
            click.echo(f"{title}:")
            click.echo("\n".join(str(finding) for finding in found))
    errors = sum(finding.level == "error" for finding in findings)
    click.echo(f"System check identified {len(findings)} issues ({errors} errors).")
    if errors:
        raise SystemExit(1)


class _Scaffold(click.Command):
    """``flask scaffold``, whose generator (app/scaffold) is imported only when the
    command runs: a development tool that the app, and the runtime image, need not
    carry. ``flask --help`` lists it all the same."""

    def __init__(self) -> None:
        super().__init__(
            "scaffold",
            help="Generate a resource: NAME, then FIELD:TYPE ... (see docs/resources.md).",
            context_settings={"ignore_unknown_options": True, "help_option_names": []},
            params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        )

    def invoke(self, ctx: click.Context) -> Any:
        try:
            from app.scaffold import scaffold
        except ImportError as exc:
            raise click.ClickException(
                "flask scaffold is a development tool; it is not installed here "
                f"({exc}). Run it in a checkout with `make install`."
            ) from exc
        return scaffold.main(
            list(ctx.params["args"]), prog_name=ctx.command_path, standalone_mode=False
        )


def register_commands(app: Flask) -> None:
    app.shell_context_processor(shell_context)
    app.cli.add_command(wait_for_db)
    app.cli.add_command(create_superuser)
    app.cli.add_command(change_password)
    app.cli.add_command(check)
    app.cli.add_command(_Scaffold())
