# vwatch serve on Cloud Run. The steps are the README's own set-up (`npm ci`); the service runs
# as the image's unprivileged `node` user. PostgreSQL comes from DATABASE_URL (Cloud SQL); the
# warehouse from VWATCH_WAREHOUSE=bigquery with the service account's credentials. The README's
# "Serving" section lists the variables (VWATCH_SERVICE_URL, VWATCH_ALLOWED_CALLERS, …).
FROM node:20-slim

WORKDIR /app
RUN chown node:node /app
USER node

COPY --chown=node:node . .
RUN npm ci

# Local state (the compile cache, run results) in a folder the user can write.
ENV VWATCH_HOME=/tmp/vwatch
# Cloud Run sets PORT; 8080 is its default.
EXPOSE 8080
CMD ["node", "bin/vwatch.js", "serve"]
