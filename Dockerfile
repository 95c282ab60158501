# AR Bridge. Build: docker build -t ar-bridge .   Run: see README.md → Run and deploy.
# test/deploy.test.ts runs this file's install and start commands in a fresh clone: keep RUN
# commands relative to WORKDIR.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the node package among them is the runtime npm start uses.
RUN npm ci --omit=dev --no-audit --no-fund --prefer-offline
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
# The embedded database's directory, owned by the runtime user through the copy below.
RUN mkdir -p data

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
VOLUME /app/data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["npm", "start"]
