"""gunicorn settings, each overridable from the environment.

Run: ``gunicorn -c gunicorn.conf.py wsgi:app``.
"""

import os

from dotenv import load_dotenv

# Read .env before the settings below, as wsgi.py does for the app.
load_dotenv()

bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# gunicorn's workers, answering the requests they refuse themselves (a request
# line or headers too large, a malformed request) in problem+json like the app.
worker_class = "app.serving.ProblemThreadWorker" if threads > 1 else "app.serving.ProblemSyncWorker"
# The longest request line read (gunicorn's default is 4094). Every list's
# longest valid URL fits in it: app/api/listing.py's MAX_REQUEST_LINE.
limit_request_line = 8190
# A request slower than this is killed; a worker gets this long to finish its
# in-flight requests after SIGTERM before it is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Access log to stdout, errors to stderr: what container platforms collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# No runtime control socket (gunicorn 27 creates one under ~/.gunicorn by default).
control_socket_disable = True
# Trust X-Forwarded-* only from this address list (set to your proxy's).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
