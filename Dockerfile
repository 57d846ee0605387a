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
COPY src ./src
# uid 1000 (the base image's `node`), numeric so that runAsNonRoot can be checked; the chart's and the
# helper containers' runAsUser.
USER 1000:1000
ENTRYPOINT ["node", "src/cli/main.ts"]
CMD ["agent"]
