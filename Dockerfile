# The hub's image, for people with a Docker engine (docker-compose.yml): `hub run`, the ops
# console (`hub console`) and the migrations (`hub migrate`) from one image. Not used on the
# project's own machines, which run the hub from the locked virtualenv (`make demo`).
FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir 'uv>=0.5,<1'
WORKDIR /app
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY hub ./hub
# Installed as a package, not from the source tree: what it reads at run time is package data.
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --home-dir /var/lib/hub --create-home hub
COPY --from=build /app/.venv /app/.venv
# The demo's timelines and the contract's examples, for `hub demo` and `hub validate`.
COPY scenarios /app/scenarios
COPY contracts /app/contracts
WORKDIR /var/lib/hub
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
USER hub
# 8080: `hub console`; 9464: `hub run`'s Prometheus metrics when HUB_METRICS_PORT is set.
EXPOSE 8080 9464
ENTRYPOINT ["hub"]
CMD ["--help"]
