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
# With several workers, each listens on a socket of its own (SO_REUSEPORT) and the
# kernel spreads new connections across them. On one shared socket a threaded
# worker accepts every connection that is ready, so a few long-lived connections
# (a proxy's keep-alive pool, a load tester's) all landed on one worker while the
# other sat idle: half the throughput (docs/performance.md). The cost: when a
# worker exits (a reload, a timeout), connections still waiting in its own queue
# are reset. With one worker the arbiter's socket keeps them waiting instead.
reuse_port = workers > 1 and os.environ.get("GUNICORN_REUSE_PORT", "true").strip().lower() in (
    "1",
    "true",
    "yes",
)
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


def on_starting(server):
    """Refuse to start production with per-process rate-limit counts and several
    workers: each worker would allow the whole limit, so every limit would be
    `workers` times looser than configured."""
    production = os.environ.get("APP_ENV", "development").strip().lower() == "production"
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://").strip()
    if production and storage.startswith("memory://") and server.cfg.workers > 1:
        raise RuntimeError(
            f"RATELIMIT_STORAGE_URI={storage} counts per worker process, so with "
            f"{server.cfg.workers} workers every rate limit is {server.cfg.workers} times "
            "looser. Set RATELIMIT_STORAGE_URI to a shared store (redis://host:6379/0), "
            "or GUNICORN_WORKERS=1."
        )


def when_ready(server):
    """Say it loudly when a development app listens beyond this machine."""
    if os.environ.get("APP_ENV", "development").strip().lower() == "production":
        return
    # The configured addresses (with reuse_port, the workers open the sockets).
    exposed = [_url(address) for address in server.cfg.address if not _loopback(address)]
    if exposed:
        server.log.warning(
            "!!! APP_ENV is not production, but the app listens on %s: other machines can "
            "reach a development configuration. Set APP_ENV=production (and the settings "
            "`flask check --deploy` asks for), or bind to 127.0.0.1.",
            ", ".join(exposed),
        )


def post_worker_init(worker):
    """Compute the dummy password hash before the first request, so the first
    sign-in for an unknown email is not slower than the others (timing would
    tell that the email has no account)."""
    auth = getattr(worker.wsgi, "extensions", {}).get("auth")
    if auth is not None:  # this app's; bench/bare.py runs under this config too
        auth.passwords.prepare()


def _url(address) -> str:
    host, port = address
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _loopback(address) -> bool:
    """Whether a bind address (a (host, port) pair, a UNIX socket path or a file
    descriptor) reaches only this machine."""
    import ipaddress
    import socket

    if not isinstance(address, tuple):
        return True
    host = address[0] or "0.0.0.0"  # "" binds every interface
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: loopback only if every address it has is
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)
