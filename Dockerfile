# The production image (docker-compose.prod.yml): the app, its requirements, compiled
# translations and collected static files (served by WhiteNoise). One image for web, workers
# and beat; the command differs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Build-time only values: production mode needs a secret and hosts to import the settings.
RUN DJANGO_ENV=production SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=build \
      python manage.py compilemessages --ignore=.venv --ignore=var -v 0 \
 && DJANGO_ENV=production SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=build \
      python manage.py collectstatic --noinput -v 0 \
 && useradd --system --uid 10001 --home-dir /app app \
 && mkdir -p /data/media /data/private /tmp/prometheus /app/var \
 && chown -R app /data /tmp/prometheus /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "distribution.wsgi:application", "--bind", "0.0.0.0:8000"]
