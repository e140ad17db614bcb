"""gunicorn settings for digicoach: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be set from the environment, so one file serves the Procfile, the systemd unit
and `make prod`: PORT (or BIND), WEB_CONCURRENCY, GUNICORN_TIMEOUT, GUNICORN_ACCESS_LOG.
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi as gunicorn_wsgi

# Behind a reverse proxy on the same host, bind to 127.0.0.1 (GUNICORN_BIND) and let the proxy
# terminate TLS; DIGICOACH_PROXY_FIX_* then says how many hops to trust.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# Sync workers: every request is short and database-bound, and SQLAlchemy's pool is per process
# (pool_size + max_overflow connections per worker, see DIGICOACH_SQLALCHEMY_ENGINE_OPTIONS).
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"

# Preload off: each worker imports the app and opens its own database pool after the fork, so
# no connection is ever shared between processes, and a reload (HUP) picks up new code.
preload_app = False

# A dashboard at Flanders scale takes seconds when the figure cache is cold; 30 s is the ceiling
# before gunicorn kills a stuck worker. Workers finish their request on a graceful stop.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Sync workers close the connection after each response; a short keep-alive covers the proxy.
keepalive = 2

# Workers are not recycled by default: measured with max_requests=2000, a burst of ~1000
# requests/s restarted every worker every few seconds (p99 1.25 s instead of 91 ms, -27%
# requests/s; bench/RESULTS.md). Set GUNICORN_MAX_REQUESTS (e.g. 20000) if a leak ever shows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

# Logs go to stdout/stderr, where systemd's journal or the platform collects them.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request line, status, size, duration in microseconds and the client as the proxy saw it.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s" fwd=%({x-forwarded-for}i)s'

proc_name = "digicoach-web"


# No `Server: gunicorn` header: naming the software (and so its known flaws) helps nobody but an
# attacker. gunicorn has no setting for it, so its response drops that one default header.
_default_headers = gunicorn_wsgi.Response.default_headers


def _headers_without_server(response: gunicorn_wsgi.Response) -> list[str]:
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


gunicorn_wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]
