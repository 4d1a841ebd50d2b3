# The bot as a container: `python -m bot` on a slim Python, as a non-root user, with every
# dependency installed from requirements.lock (all transitive packages pinned, each file's
# hash checked). The build stage only makes the virtualenv; the final image gets the
# virtualenv and the code, and no compiler or build tool is installed in either.
#
#   docker build -t thumbnail-bot .
#   docker run --env-file .env -p 8080:8080 -v bot-data:/data thumbnail-bot
#
# Migrations: `docker run --env-file .env thumbnail-bot python -m bot migrate` (the bot
# also applies pending ones when it starts).

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot \
    && mkdir /data && chown bot:bot /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY bot/ bot/
COPY handlers/ handlers/
COPY services/ services/
COPY sandbox/ sandbox/
COPY sql/ sql/
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    PORT=8080 \
    LOG_FORMAT=json
USER bot
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8080'), timeout=4)"]
CMD ["python", "-m", "bot"]
