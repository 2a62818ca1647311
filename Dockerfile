# syntax=docker/dockerfile:1
# One image for every paperline process; the command picks which one runs:
#   docker run paperline services/render/dist/main.js      (a stage: render, layout, ocr, assemble, ...)
#   docker run paperline services/gateway/dist/main.js     (the HTTP API; the default)
# Build: docker build -t paperline .
# A CUDA image needs a CUDA 12 runtime base and the onnxruntime CUDA provider:
#   docker build --build-arg NODE_IMAGE=<node 20 on nvidia/cuda:12-cudnn-runtime> \
#                --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 -t paperline:cuda .
ARG NODE_IMAGE=node:20-bookworm-slim

# Only the package manifests, in their folders: the npm ci layer below depends on these files
# alone, so a source change rebuilds from `COPY . .` on and never reinstalls the dependencies.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && for f in libs/*/package.json services/*/package.json; do mkdir -p "/manifests/$(dirname "$f")" && cp "$f" "/manifests/$f"; done \
 && cp -r services/cli/bin /manifests/services/cli/
# (the CLI's bin script travels with the manifests: npm links it during npm ci)

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# onnxruntime-node ships its CPU build in the package; "skip" avoids downloading the CUDA provider.
# The root postinstall looks for a nats-server for tests (a failure is ignored); its cache stays
# out of /app so that it never reaches the runtime image.
ARG ONNXRUNTIME_NODE_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL} \
    NX_DAEMON=false \
    NX_NO_CLOUD=true \
    PAPERLINE_NATS_CACHE=/tmp/nats-server-cache
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# The runtime keeps production dependencies only (workspace links to libs/* and services/* stay).
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# tini reaps children (nvidia-smi probes) and forwards SIGTERM to node, which drains the stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# two glibc arenas: native libraries' freed memory is returned instead of piling up per thread
ENV NODE_ENV=production \
    PL_HEALTH_PORT=9464 \
    MALLOC_ARENA_MAX=2
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/services ./services
COPY --from=build /app/models ./models
USER node
# 8080: gateway HTTP API; 9464: /healthz, /readyz, /metrics, /status of a stage
EXPOSE 8080 9464
# Exit code 75 is a memory-guard recycle: the orchestrator restarts the container, nothing is lost.
ENTRYPOINT ["/usr/bin/tini", "--", "node"]
CMD ["services/gateway/dist/main.js"]
