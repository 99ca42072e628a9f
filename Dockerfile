# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/srv/var
WORKDIR /srv/tansiq
# `manage.py backup` and `restore` run pg_dump and pg_restore, which must be of the
# server's major version (postgres:16 in docker-compose.yml) or newer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml constraints.txt README.md ./
COPY portal ./portal
COPY members ./members
COPY groups ./groups
COPY meetings ./meetings
COPY documents ./documents
COPY decisions ./decisions
COPY notices ./notices
COPY search ./search
COPY demo ./demo
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir -c constraints.txt . \
    && pybabel compile --domain django --directory locale \
    && pybabel compile --domain djangojs --directory locale \
    && useradd --system --home /srv tansiq \
    && mkdir -p /srv/var/media && chown -R tansiq /srv/var
# collectstatic needs settings that import; the key is a build-time throwaway.
RUN DEBUG=0 SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

USER tansiq
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
