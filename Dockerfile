# syntax=docker/dockerfile:1
# The meterport portal as a container image (README, "Operating meterport"):
#   docker build -t meterport .
#   docker run -p 8080:8080 -v meterport:/var/lib/meterport -e METERPORT_OPERATOR_TOKEN=... meterport
# packaging/docker-compose.yml runs it beside PostgreSQL.

# --- build: the official Rust image, the same toolchain as rust-version ---------------------
FROM rust:1.95-slim-trixie AS build
WORKDIR /src
COPY . .
# The registry and the target directory are cache mounts, so a rebuild after a source change
# compiles meterport's crates only. Everything C that is linked in (SQLite, AWS-LC, mimalloc)
# is built by cc with the image's gcc; nothing else is needed.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p meterport \
 && install -D -m 755 target/release/meterport /out/meterport

# --- runtime: Debian slim, the binary, CA certificates (outgoing mail, webhooks) -------------
FROM debian:trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/meterport \
      --shell /usr/sbin/nologin meterport \
 && install -d -o meterport -g meterport -m 700 /var/lib/meterport
COPY --from=build /out/meterport /usr/local/bin/meterport
# The image's settings are a configuration file, so that environment variables (-e) and
# flags still win over them; mount another file here to change them.
COPY packaging/container.toml /etc/meterport/meterport.toml
ENV METERPORT_CONFIG=/etc/meterport/meterport.toml
# Numeric, so that a runtime can tell it is not root (Kubernetes runAsNonRoot).
USER 10001:10001
WORKDIR /var/lib/meterport
# The SQLite database (when METERPORT_DATABASE_URL is not PostgreSQL).
VOLUME ["/var/lib/meterport"]
EXPOSE 8080
# SIGTERM: stop accepting, finish the requests in flight, exit.
STOPSIGNAL SIGTERM
# /healthz answers 200 once the database answers. The runtime image has no curl: bash
# speaks the one request itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["meterport"]
CMD ["serve"]
