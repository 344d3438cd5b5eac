# syntax=docker/dockerfile:1
# The production image of pix-orga-api: `pix-orga serve` as an unprivileged user.
#   docker build -t pix-orga-api .
# The same image runs the migrations (`pix-orga db upgrade`) and the e-mail worker
# (`pix-orga worker`); docker-compose.yml shows the whole deployment.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
# The uv release the Makefile pins, from PyPI.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first (their layer is reused while only the code changes), exactly as locked.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
# Then the service itself. It stays installed from /app (uv's default editable install):
# the Alembic revisions are read from /app/migrations, beside the packages.
COPY api ./api
COPY domain ./domain
COPY infrastructure ./infrastructure
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
    && python -m compileall -q api domain infrastructure migrations

FROM ${PYTHON_IMAGE}
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 pixorga \
    && useradd --system --uid 10001 --gid pixorga --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin pixorga
WORKDIR /app
# Code and environment belong to root and are read-only to the service; only var/ (the SQLite
# default, unused with PostgreSQL) is writable.
COPY --from=build /app /app
RUN mkdir -p /app/var && chown pixorga:pixorga /app/var
USER 10001:10001
EXPOSE 8000
# The slim image has no curl: Python asks /health/live (the process answers; readiness, with
# the database, is /health/ready).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('PORT', '8000'), timeout=2)" || exit 1
CMD ["pix-orga", "serve"]
