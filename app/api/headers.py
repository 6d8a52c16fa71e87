"""Response headers every API response carries, and CORS."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_cors import CORS

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Responses carry personal data and tokens: no shared or browser caches.
    "Cache-Control": "no-store",
}
# flask-smorest's endpoints for the Swagger UI and ReDoc pages.
DOCS_PAGES = frozenset({"api-docs.openapi_swagger_ui", "api-docs.openapi_redoc"})
# The documentation pages run scripts and styles (their own, and small inline
# ones from flask-smorest's templates) and fetch the OpenAPI document; nothing
# from another origin.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)


def init_security_headers(app: Flask) -> None:
    """Add the headers to every response; CORS only for the configured origins."""
    headers = dict(SECURITY_HEADERS)
    hsts_seconds = app.config["HSTS_SECONDS"]
    if app.config["APP_ENV"] == "production" and hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        if request.endpoint in DOCS_PAGES:
            response.headers["Content-Security-Policy"] = DOCS_CSP
        # One pass over the headers already set (a view may set its own
        # Cache-Control, say), rather than a lookup per header.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend(
            [(name, value) for name, value in headers.items() if name.lower() not in present]
        )
        if response.status_code == 204:
            # No body, so no media type (flask-smorest sets one anyway).
            response.headers.pop("Content-Type", None)
        return response

    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(app, origins=origins, expose_headers=["Location", "Retry-After"])
