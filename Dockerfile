# The hub's image, for people with a Docker engine (docker-compose.yml). Not used on the
# project's own machines, which run the hub from the locked virtualenv (`make demo`).
FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir 'uv>=0.5,<1'
WORKDIR /app
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY hub ./hub
COPY contracts ./contracts
RUN uv sync --frozen --no-dev

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 hub
WORKDIR /app
COPY --from=build /app /app
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
USER hub
ENTRYPOINT ["hub"]
CMD ["--help"]
