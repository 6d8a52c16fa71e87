"""The Blueprint every resource uses: flask-smorest's, with a JSON-only body parser."""

from __future__ import annotations

from typing import Any

import flask
import flask_smorest
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import UnsupportedMediaType


class JsonBodyParser(FlaskParser):
    """Answer 415 to a body that is not JSON, instead of reading it as empty.

    webargs treats a non-JSON body as missing, which would surface as a confusing
    422 "missing field" error.
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")
        return super()._raw_load_json(req)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = JsonBodyParser()
