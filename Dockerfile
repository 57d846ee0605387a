# The kaito-gitops image (the agent runs it as `agent`; every CLI command works). No build step: Node 24
# runs the TypeScript sources directly (type stripping), so the image is the sources plus production
# dependencies. Rendered pods also run it as a helper: `adapter pull` init containers and the tuning Job's
# `adapter push` container, non-root with a read-only root filesystem (it writes only to its volumes and
# the termination log).
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev also leaves out the `node` devDependency: the base image already is Node 24.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY presets ./presets
COPY bin ./bin
COPY src ./src
# Node's compile cache, filled at build time: type stripping and compilation of the CLI are done once here,
# not at every container start (a helper container starts in about half the time, with ~30 MiB less
# memory). Read-only at run time, which Node accepts: the cache is an optimization that never fails a run.
# bin/kaito-gitops.js turns it on before any TypeScript is loaded.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN for command in adapter agent demo import init plan presets report sync synth validate; do \
      node bin/kaito-gitops.js "$command" --help > /dev/null; done
# uid 1000 (the base image's `node`), numeric so that runAsNonRoot can be checked; the chart's and the
# helper containers' runAsUser.
USER 1000:1000
ENTRYPOINT ["node", "bin/kaito-gitops.js"]
CMD ["agent"]
