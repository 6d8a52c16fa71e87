"""The error body every endpoint returns (RFC 9457, ``application/problem+json``)."""

from __future__ import annotations

from marshmallow import Schema, fields

PROBLEM_MIMETYPE = "application/problem+json"


class ProblemSchema(Schema):
    """Problem details; ``errors`` maps each invalid field to its messages."""

    type = fields.String(metadata={"description": "A URI naming the problem type."})
    title = fields.String(metadata={"description": "The status code's phrase."})
    status = fields.Integer(metadata={"description": "The HTTP status code."})
    detail = fields.String(metadata={"description": "What went wrong, for a human."})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Per-field messages (422 and some 409 responses)."},
    )
