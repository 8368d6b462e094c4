# The bosh-release-pr resource image, laid out as Concourse's own resources are (git-resource,
# registry-image-resource): the resource is the default target, and a `tests` stage that nothing
# depends on runs the suite on the resource itself.
#   docker build -t bosh-release-pr-resource .   # the resource: npm ci, the bundles, no tests
#   docker build --target tests .                # the test suite on the image's own Debian and Node
#
# The bases are pinned by tag and by the digest of their multi-platform index. To bump them, pick
# the newest node:24.<minor>.<patch>-trixie-slim and debian:13.<n>-slim built from the same trixie
# snapshot, read each index digest (`docker buildx imagetools inspect <tag>`, or the "docker pull
# ...@sha256" line of github.com/docker-library/repo-info repos/{node,debian}/remote/<tag>.md), and
# set scripts/node24.sh to the same Node version (the tests run the bundles under it). Both stay
# overridable: --build-arg NODE_IMAGE=… --build-arg BASE_IMAGE=… (scripts/image.sh does).
ARG NODE_IMAGE=node:24.21.0-trixie-slim@sha256:8ec5d7557396cfe32d21c3f9c13072355ceab22b584578ca4bb28af31120cffe
ARG BASE_IMAGE=debian:13.7-slim@sha256:a99cfc517144bc59b1978475ec53b46ecabec7e43635402ee5b77cc54cd1b20a

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
# Behind a proxy that intercepts TLS, give npm its CA as a build secret (it is mounted for this one
# step, never stored in a layer): docker build --secret id=npm-ca,src=/path/to/ca.pem .
RUN --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi \
 && npm ci --no-audit --no-fund

FROM deps AS build
# Only what the bundles are made of: a change anywhere else does not rebuild the resource.
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/
COPY src src
RUN node scripts/build.mjs --outdir dist

FROM ${BASE_IMAGE} AS resource
# First, so that no source change runs apt again.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Only the Node runtime: no npm, no node_modules, no build tooling.
COPY --from=deps /usr/local/bin/node /usr/local/bin/node
COPY bin/resource /opt/resource/check
COPY bin/resource /opt/resource/in
COPY bin/resource /opt/resource/out
COPY --from=build /src/dist/check.mjs /src/dist/in.mjs /src/dist/out.mjs /opt/resource/lib/
# Fill Node's compile cache (bin/resource points NODE_COMPILE_CACHE at /opt/resource/compile-cache):
# each step, given a request it refuses, loads everything it loads before its first network call,
# and Node keeps the compiled code for every later start (BENCHMARKS.md, cold start).
RUN for step in check in out; do echo '{}' | /opt/resource/$step /tmp/unused >/dev/null 2>&1; done; \
    test -n "$(ls -A /opt/resource/compile-cache)"
ENV NODE_USE_SYSTEM_CA=1 NODE_USE_ENV_PROXY=1

# The whole suite on the resource stage: its Debian, its git (curl with GnuTLS) and its Node.
FROM resource AS tests
WORKDIR /src
COPY --from=deps /src/node_modules node_modules
COPY . .
RUN node scripts/build.mjs \
 && NODE_OPTIONS=--experimental-vm-modules node node_modules/jest/bin/jest.js --ci

FROM resource
