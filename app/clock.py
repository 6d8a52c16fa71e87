"""The one clock that token expiry reads, so tests can move time without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC. Tests replace this function."""
    return datetime.now(UTC)
