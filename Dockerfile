# A small image of the emulator. better-sqlite3 compiles from source, hence the build tools in the
# first stage only.
#
# Node 24 (LTS "Krypton", supported until 2028-04-30): of the two LTS lines better-sqlite3 12 supports that are
# still maintained in December 2026 (22 ends 2027-04-30, 24 a year later), the one with the longer support.
# Pinned to the major version: `docker build --pull` picks up its security releases.
FROM node:24-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY core core
COPY storage storage
COPY server server
# tsc, then esbuild bundles dist/server/main.js (package.json's build): one file to load at start.
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
# The schema migrations are read at run time from beside the sources (storage/sqlite/connection.ts).
COPY storage/sqlite/migrations storage/sqlite/migrations
COPY views views
# The data dir belongs to the user the server runs as: a new named volume copies this ownership. (A bind
# mount keeps its host ownership: the server then refuses to start with one line naming the folder.)
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
USER node
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself, not npm: it gets the signals (SIGTERM drains for up to DRAIN_TIMEOUT, default 30 s; give
# `docker stop` more than that, e.g. `docker stop -t 40`, as docker-compose.yml does).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
