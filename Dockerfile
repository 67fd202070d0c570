# aws-realtime: one image, the command picks the role (`gateway` by default, `worker`, ...).
#
#   docker build -t aws-realtime .
#   docker run -p 8080:8080 -e REDIS_URL=rediss://user:pass@host:6379 -e GATEWAY_JWT_SECRET=... aws-realtime
#   docker run -p 9090:9090 -e REDIS_URL=... -e AWS_REGION=eu-west-1 aws-realtime worker
#
# Both stages are Debian 12 (bookworm), so the libcurl and libxml2 the binary was linked against
# are the ones it finds at run time. The Swift standard library and Foundation are linked
# statically (`--static-swift-stdlib`): the runtime image needs no Swift toolchain.
# .ci/release-build runs this build stage's `swift build` command and checks the binary with ldd.

# ---- build ------------------------------------------------------------------------------------
FROM swift:6.3.1-bookworm AS build

# Debian package versions are pinned by the base image's release (bookworm), not one by one: a
# pinned version disappears from the archive with the next security update and breaks the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev libxml2-dev libssl-dev pkgconf \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve

# The manifest names the test targets too, so SwiftPM wants their folders present.
COPY Sources ./Sources
COPY Tests ./Tests
# The debug info is dropped (measured: 173 MB -> 110 MB); the symbol table stays, so a crash's
# backtrace still names functions. Resource bundles, if a target ever has any, go along.
RUN swift build -c release --product aws-realtime --static-swift-stdlib \
    && mkdir /staging \
    && strip --strip-debug -o /staging/aws-realtime "$(swift build -c release --show-bin-path)/aws-realtime" \
    && find "$(swift build -c release --show-bin-path)" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:bookworm-slim

# Only what the binary links (ldd: libcurl, libxml2 and their dependencies) and the CA bundle
# that libcurl verifies AWS and rediss:// peers against. Versions: see the build stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 libxml2 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin aws-realtime

COPY --from=build /staging/ /usr/local/bin/

# A numeric user, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
WORKDIR /home/aws-realtime

# 8080: the gateway (/ws, /events, /health, /ready, /metrics); 9090: the worker's operations
# endpoints (/health, /ready, /metrics). `PORT` changes either.
EXPOSE 8080 9090

# No curl in the image: the binary probes itself. Without --url it probes $PORT, else 8080 then
# 9090, so the same check serves the gateway and the worker.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["aws-realtime", "healthcheck"]

ENTRYPOINT ["aws-realtime"]
CMD ["gateway"]
