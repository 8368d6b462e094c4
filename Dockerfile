# syntax=docker/dockerfile:1
# bosh-release-pr resource image: build → test → resource.
#   docker build -t bosh-release-pr-resource .                 # runs the tests, then the image
#   docker build --target build -t brp-build .                 # just the bundles
ARG NODE_IMAGE=node:24-trixie-slim
ARG BASE_IMAGE=debian:trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run lint && npm run build

FROM build AS test
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN npm test

FROM ${BASE_IMAGE} AS resource
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Only the Node runtime itself: no npm, no node_modules, no build tooling.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# The test stage must have passed for the image to build.
COPY --from=test /src/package.json /tmp/tested-package.json
RUN rm /tmp/tested-package.json
COPY --from=build /src/dist/check.mjs /src/dist/in.mjs /src/dist/out.mjs /opt/resource/lib/
COPY bin/resource /opt/resource/check
COPY bin/resource /opt/resource/in
COPY bin/resource /opt/resource/out
# Fill Node's compile cache (bin/resource points NODE_COMPILE_CACHE at /opt/resource/compile-cache):
# each step, given a request it refuses, loads everything it loads before its first network call,
# and Node keeps the compiled code for every later start (BENCHMARKS.md, cold start).
RUN for step in check in out; do echo '{}' | /opt/resource/$step /tmp/unused >/dev/null 2>&1; done; \
    test -n "$(ls -A /opt/resource/compile-cache)"
ENV NODE_USE_SYSTEM_CA=1 NODE_USE_ENV_PROXY=1
