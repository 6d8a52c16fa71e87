"""Liveness and readiness probes, for load balancers and orchestrators."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.api.blueprint import Blueprint
from app.db.session import get_db, ping
from app.schemas.problem import ProblemSchema

blp = Blueprint("health", __name__, url_prefix="/health", description="Service health.")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


@blp.get("")
@blp.response(200, HealthSchema)
def live() -> dict[str, str]:
    """Liveness: the process serves requests. Touches no database."""
    return {"status": "ok"}


@blp.get("/ready")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=ProblemSchema, description="The database is unreachable.")
def ready() -> dict[str, str]:
    """Readiness: the database answers a query."""
    ping(get_db())
    return {"status": "ok"}
