# syntax=docker/dockerfile:1
# Two stages: dependencies are built in the first, and only the virtualenv and the
# application files reach the slim runtime image, which runs as a non-root user.

FROM python:3.11.9-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --requirement /tmp/requirements.txt

FROM python:3.11.9-slim-bookworm
# Production unless told otherwise: the app then refuses a missing or weak
# SECRET_KEY, and `flask check --deploy` below refuses what is unsafe to serve.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLASK_APP=wsgi \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
RUN useradd --system --uid 10001 --user-group --no-create-home app \
    && mkdir -p /var/lib/app && chown app:app /var/lib/app
WORKDIR /srv/app
COPY --from=build /opt/venv /opt/venv
COPY app ./app
COPY migrations ./migrations
COPY wsgi.py gunicorn.conf.py ./
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
# Pre-start: wait for the database, apply migrations, check the deployment (errors
# stop the start), then hand PID 1 to gunicorn so that SIGTERM reaches it.
CMD ["sh", "-c", "flask wait-for-db && flask db upgrade && flask check --deploy && exec gunicorn -c gunicorn.conf.py wsgi:app"]
