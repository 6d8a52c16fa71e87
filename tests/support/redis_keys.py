"""Cleaning up after code that counted in a shared Redis (rate limits)."""

from __future__ import annotations

import redis


def delete_keys(url: str, prefix: str) -> None:
    """Delete every key containing ``prefix`` (Flask-Limiter puts it inside the key)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
