# syntax=docker/dockerfile:1
# One image for every LLecommend process: web (gunicorn), the `default` queue worker and the
# `llm` queue worker. The GPU variant is the same Dockerfile built with a CUDA torch index:
#   docker build -t llecommend .                                   # CPU torch (web, worker)
#   docker build -t llecommend-llm \
#     --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126 .   # llm-worker
# docker-compose.yml builds both. See docs/deploying.md.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# libgomp1: OpenMP for torch/lightfm at run time; gettext: compilemessages; libpq5: psycopg.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 gettext libpq5 \
    && rm -rf /var/lib/apt/lists/*

# --- dependencies, built once into a virtualenv (lightfm compiles from source) ---------------
FROM base AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
# The CPU wheel index keeps the web image free of the multi-GB CUDA libraries; the llm-worker
# build passes a CUDA index instead (bitsandbytes NF4 needs CUDA torch).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN python -m venv /opt/venv
COPY requirements.txt requirements-nodeps.txt /tmp/
RUN /opt/venv/bin/pip install --extra-index-url "${TORCH_INDEX_URL}" -r /tmp/requirements.txt \
    && /opt/venv/bin/pip install --no-deps -r /tmp/requirements-nodeps.txt

# --- the application ----------------------------------------------------------------------
FROM base AS app
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=llecommend_site.settings \
    STATIC_ROOT=/app/var/staticfiles \
    ARTIFACTS_DIR=/app/var/artifacts \
    HF_HOME=/app/var/models
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
WORKDIR /app
COPY --chown=app:app . .
# Static files (whitenoise serves them, hashed and compressed) and compiled translations are
# part of the image. The key below exists only for this build step.
RUN SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput -v 0 \
    && SECRET_KEY=build-only-not-a-secret python manage.py compilemessages --ignore .venv -v 0 \
    && mkdir -p /app/var/artifacts /app/var/models \
    && chown -R app:app /app/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["gunicorn", "llecommend_site.wsgi:application", "--config", "python:llecommend_site.gunicorn_conf"]
