# The image our users run: web (gunicorn + whitenoise), worker and beat all
# start from it (see docker-compose.yml). Same steps as the Makefile:
# install requirements.txt, compile messages, collect static files.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=chunshu_union.settings.prod

# postgresql-client: pg_dump and pg_restore for `manage.py restore_drill`
# (Debian 12's are version 15, the same as the compose database's).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 chunshu

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Build-time only values so that collectstatic can import the settings;
# the real ones come from the environment at run time.
RUN SECRET_KEY=build FIELD_ENCRYPTION_KEY=$(printf '0%.0s' $(seq 64)) \
    ID_NUMBER_HMAC_KEY=$(printf '0%.0s' $(seq 64)) REDIS_URL=redis://build:6379/0 \
    sh -c "python manage.py compilemessages --ignore=.venv -v0 && python manage.py collectstatic --noinput -v0" \
 && mkdir -p /app/media && chown -R chunshu /app/media

USER chunshu
EXPOSE 8000
CMD ["gunicorn", "chunshu_union.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
