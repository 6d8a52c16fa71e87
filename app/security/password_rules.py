"""What makes a password acceptable, with a message per broken rule.

The rules follow Django's default validators: a minimum length, not entirely
numeric, not the email address, and not one of the most common passwords.
"""

from __future__ import annotations

MIN_LENGTH = 8
MAX_LENGTH = 128

# The most common passwords of public breach lists that are at least MIN_LENGTH
# long (shorter ones already fail the length rule), compared case-insensitively.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "qwertyuiop",
        "qwerty123",
        "qwerty1234",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "1qaz2wsx",
        "zaq12wsx",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "basketball",
        "welcome1",
        "welcome123",
        "abc12345",
        "abcd1234",
        "admin123",
        "administrator",
        "letmein1",
        "trustno1",
        "superman",
        "batman123",
        "whatever",
        "starwars",
        "dragon123",
        "monkey123",
        "michael1",
        "jennifer",
        "jordan23",
        "11111111",
        "00000000",
        "88888888",
        "12341234",
        "87654321",
        "123123123",
        "987654321",
        "qazwsxedc",
        "asdfghjkl",
        "zxcvbnm1",
        "computer",
        "internet",
        "changeme",
        "changeme123",
        "secret123",
        "mustang1",
        "shadow12",
        "master123",
        "freedom1",
        "charlie1",
        "liverpool",
        "chelsea1",
        "arsenal1",
        "google123",
        "samsung1",
        "iloveyou1",
        "lovely123",
        "hello123",
        "test1234",
        "testtest",
        "password!",
        "p@ssw0rd",
        "p@ssword",
        "letmein123",
        "myspace1",
        "access14",
        "q1w2e3r4",
        "q1w2e3r4t5",
        "aa123456",
        "a1234567",
        "qwer1234",
        "asdf1234",
        "default1",
        "summer2024",
        "winter2024",
        "spring2024",
        "autumn2024",
    ]
)


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
    if password.casefold() in COMMON_PASSWORDS:
        problems.append("Is too common.")
    return problems
