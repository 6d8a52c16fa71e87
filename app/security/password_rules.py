"""What makes a password acceptable, with a message per broken rule.

The rules follow Django's default validators: a minimum length, not entirely
numeric, not the email address, and not one of the most common passwords.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128

# The most common passwords of public breach lists that are at least MIN_LENGTH
# long (shorter ones already fail the length rule): 11,629 of them, mostly from
# zxcvbn's list (see common-passwords.LICENSE.txt), read on first use.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The list, case-folded, as a set: about 1 MB, loaded on the first check."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().casefold() for line in lines if line.strip())


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Every rule ``password`` breaks, as messages for the client; empty if none."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Must be at least {MIN_LENGTH} characters long.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Must be at most {MAX_LENGTH} characters long.")
    if password.isdigit():
        problems.append("Must not be entirely numeric.")
    if email:
        folded = password.casefold()
        if folded in (email.casefold(), email.split("@", 1)[0].casefold()):
            problems.append("Must not be the same as the email address.")
    if password.casefold() in common_passwords():
        problems.append("Is too common.")
    return problems
