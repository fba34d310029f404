// PostGraphile v4 launcher for bench/run: one Node process, one pg pool of 10 connections,
// the connection-filter plugin (with relation filters, for "articles of this author"),
// no GraphiQL, no query log, no mutations. Run by bench/run with NODE_PATH pointing at the
// npm cache folder where postgraphile is installed.
//
//   PGB_DATABASE_URL=postgres://… PGB_PORT=18081 NODE_ENV=production node server.js
'use strict';

const http = require('http');
const { Pool } = require('pg');
const { postgraphile } = require('postgraphile');
const ConnectionFilterPlugin = require('postgraphile-plugin-connection-filter');

const databaseUrl = process.env.PGB_DATABASE_URL;
const port = Number(process.env.PGB_PORT || 18081);
const host = process.env.PGB_HOST || '127.0.0.1';
const poolSize = Number(process.env.PGB_POOL_SIZE || 10);
if (!databaseUrl) {
  console.error('PGB_DATABASE_URL is not set');
  process.exit(2);
}

const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
pool.on('error', (err) => console.error('pg pool error', err));

const middleware = postgraphile(pool, 'public', {
  appendPlugins: [ConnectionFilterPlugin],
  graphileBuildOptions: {
    // `filter: { articleAuthorsByArticleId: { some: … } }` and `rubricByRubricId: …`
    connectionFilterRelations: true,
  },
  // The equivalent of the CLI's production flags.
  disableQueryLog: true,
  graphiql: false,
  enhanceGraphiql: false,
  watchPg: false,
  retryOnInitFail: false,
  setofFunctionsContainNulls: false,
  disableDefaultMutations: true,
  legacyRelations: 'omit',
  ignoreRBAC: true,
  dynamicJson: true,
  enableQueryBatching: false,
  showErrorStack: false,
  extendedErrors: [],
});

const server = http.createServer(middleware);
server.keepAliveTimeout = 65000;
server.listen(port, host, () => {
  console.log(`postgraphile listening on http://${host}:${port}/graphql (pool ${poolSize})`);
});

function stop() {
  server.close(() => pool.end().then(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
