"""The Blueprint every resource uses: flask-smorest's, plus the strict request
parser (``app.api.parsing``) and ``auth_required``, which enforces and documents
permissions in one line."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest

from app.api.current import require
from app.api.parsing import RequestParser
from app.api.permissions import Authenticated, Permission
from app.schemas.problem import PROBLEM_MIMETYPE, ProblemSchema

BEARER_AUTH = "bearerAuth"


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = RequestParser()

    def alt_response(self, status_code: int, **kwargs: Any) -> Any:
        """flask-smorest's ``alt_response``; a ``ProblemSchema`` response is
        documented as ``application/problem+json``, which is what it is."""
        if kwargs.get("schema") is ProblemSchema:
            kwargs.setdefault("content_type", PROBLEM_MIMETYPE)
        return super().alt_response(status_code, **kwargs)

    def auth_required(self, *permissions: Permission) -> Callable[[Callable[..., Any]], Any]:
        """Require a valid access token and every one of ``permissions``.

        Place it right under the route decorator, so that a caller who may not
        call the endpoint learns nothing from argument validation. The OpenAPI
        document gets the bearer security requirement and the 401/403 responses.
        """

        def decorator(view: Callable[..., Any]) -> Any:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                require(*permissions)
                return view(*args, **kwargs)

            wrapper = self.doc(security=[{BEARER_AUTH: []}])(wrapper)
            wrapper = self.alt_response(
                401, schema=ProblemSchema, description="Missing, invalid or expired token."
            )(wrapper)
            if any(type(permission) is not Authenticated for permission in permissions):
                wrapper = self.alt_response(
                    403, schema=ProblemSchema, description="Not allowed for this user."
                )(wrapper)
            return wrapper

        return decorator
