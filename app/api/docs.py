"""The API's documentation pages, served entirely from this server.

flask-smorest renders Swagger UI at /docs and ReDoc at /redoc; their JavaScript
and CSS come from the pinned swagger-ui-bundle-v2 package and from ReDoc's
standalone bundle kept in app/static/redoc (see its LICENSE), never from a CDN,
so the pages work on a machine without internet access.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, redirect, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

REDOC_DIR = Path(__file__).resolve().parent.parent / "static" / "redoc"

blp = Blueprint("docs_assets", __name__)


@blp.get("/")
def index() -> Response:
    """The API root leads to its documentation."""
    return redirect(url_for("api-docs.openapi_swagger_ui"))  # type: ignore[return-value]


# Always the whole file, cached for a day: werkzeug's conditional handling would
# answer a failed If-Match with a 412 carrying the file as its body, and some
# Range headers with a 416 where RFC 9110 says to ignore them.
ASSET_OPTIONS = {"max_age": 86400, "conditional": False, "etag": False}


@blp.get("/docs/assets/swagger-ui/<path:filename>")
def swagger_ui_asset(filename: str) -> Response:
    return send_from_directory(swagger_ui_path, filename, **ASSET_OPTIONS)


@blp.get("/docs/assets/redoc/<path:filename>")
def redoc_asset(filename: str) -> Response:
    return send_from_directory(REDOC_DIR, filename, **ASSET_OPTIONS)
