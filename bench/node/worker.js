// Drives the official DocuSign Node SDKs through one workload, the way their
// documentation shows (their JWT helper, their API classes, paging written
// as a user would), and prints one JSON line of results on stdout.
//
// Usage: node worker.js WORKLOAD   (monitor | admin | auth | esign)
// Settings come from the environment (see bench/cmd/benchcompare).
"use strict";

const fs = require("fs");
const esign = require("docusign-esign");
const admin = require("docusign-admin");
const monitor = require("docusign-monitor");

const env = (name) => {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`missing ${name}`);
  return v;
};

const cfg = {
  oauthHost: env("BENCH_OAUTH_HOST"), // host:port, no scheme (the SDKs add https://)
  esignBase: env("BENCH_ESIGN_URL"),
  adminBase: env("BENCH_ADMIN_URL"),
  monitorBase: env("BENCH_MONITOR_URL"),
  integrationKey: env("BENCH_INTEGRATION_KEY"),
  userId: env("BENCH_USER_ID"),
  accountId: env("BENCH_ACCOUNT_ID"),
  orgId: env("BENCH_ORG_ID"),
  privateKey: fs.readFileSync(env("BENCH_PRIVATE_KEY_FILE")),
  n: parseInt(env("BENCH_N"), 10),
  // Simulated consumer work per page of records (a write to a SIEM or a
  // queue), in milliseconds; the Go worker waits the same.
  workMs: parseInt(process.env.BENCH_WORK_MS || "0", 10),
};

// consume stands for the collector's work on a page of n records.
const consume = (n) => (n > 0 && cfg.workMs > 0 ? new Promise((r) => setTimeout(r, cfg.workMs)) : Promise.resolve());

// A token helper as the SDK quick starts write it: request a JWT user token
// when none is cached or it has expired.
async function jwtToken(apiClient, scopes, cache) {
  if (cache.token && Date.now() < cache.expiresAt) return cache.token;
  apiClient.setOAuthBasePath(cfg.oauthHost);
  const res = await apiClient.requestJWTUserToken(cfg.integrationKey, cfg.userId, scopes, cfg.privateKey, 3600);
  cache.token = res.body.access_token;
  cache.expiresAt = Date.now() + (res.body.expires_in - 60) * 1000;
  cache.requests = (cache.requests || 0) + 1;
  return cache.token;
}

async function monitorDrain() {
  const apiClient = new monitor.ApiClient({ basePath: cfg.monitorBase, oAuthBasePath: cfg.oauthHost });
  const token = await jwtToken(apiClient, ["signature", "impersonation"], {});
  apiClient.addDefaultHeader("Authorization", "Bearer " + token);
  const api = new monitor.DataSetApi(apiClient);
  let cursor = "";
  let events = 0;
  let requests = 0;
  const start = process.hrtime.bigint();
  // Drain: until the empty page that says there is nothing more (the fake
  // holds n pages of events), as the Go side does.
  for (;;) {
    const opts = { limit: 2000 };
    if (cursor) opts.cursor = cursor;
    const res = await api.getStream("2.0", "monitor", opts);
    requests++;
    const got = (res.data || []).length;
    if (got === 0) break;
    events += got;
    cursor = res.endCursor;
    await consume(got);
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { events, requests, seconds: secs, per_second: events / secs };
}

async function adminUsers() {
  const apiClient = new admin.ApiClient({ basePath: cfg.adminBase, oAuthBasePath: cfg.oauthHost });
  const token = await jwtToken(apiClient, ["signature", "impersonation", "organization_read", "user_read"], {});
  apiClient.addDefaultHeader("Authorization", "Bearer " + token);
  const api = new admin.UsersApi(apiClient);
  const take = 250;
  let start = 0;
  let users = 0;
  let requests = 0;
  const t0 = process.hrtime.bigint();
  for (;;) {
    // The Admin API needs one of email, accountId or
    // organizationReservedDomainId (the SDK's docs say so); the Go side
    // sends the same account filter.
    const res = await api.getUsers(cfg.orgId, { start, take, accountId: cfg.accountId });
    requests++;
    const got = (res.users || []).length;
    users += got;
    await consume(got);
    if (!res.paging || !res.paging.next || got === 0) break;
    start += take;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { users, requests, seconds: secs, per_second: users / secs };
}

async function concurrentAuth() {
  // cfg.n concurrent eSignature calls, each making sure a token exists
  // first, as the quick starts' checkToken helper does.
  const cache = {};
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: cfg.n }, async () => {
    const apiClient = new esign.ApiClient({ basePath: cfg.esignBase, oAuthBasePath: cfg.oauthHost });
    const token = await jwtToken(apiClient, ["signature", "impersonation"], cache);
    apiClient.addDefaultHeader("Authorization", "Bearer " + token);
    await new esign.UsersApi(apiClient).getInformation(cfg.accountId, cfg.userId);
  }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { calls: cfg.n, token_requests: cache.requests, seconds: secs };
}

async function sequentialGetUser() {
  const apiClient = new esign.ApiClient({ basePath: cfg.esignBase, oAuthBasePath: cfg.oauthHost });
  const token = await jwtToken(apiClient, ["signature", "impersonation"], {});
  apiClient.addDefaultHeader("Authorization", "Bearer " + token);
  const api = new esign.UsersApi(apiClient);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < cfg.n; i++) {
    await api.getInformation(cfg.accountId, cfg.userId);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { calls: cfg.n, seconds: secs, per_second: cfg.n / secs };
}

const workloads = { monitor: monitorDrain, admin: adminUsers, auth: concurrentAuth, esign: sequentialGetUser };

(async () => {
  const name = process.argv[2];
  const fn = workloads[name];
  if (!fn) throw new Error(`unknown workload ${name}: want one of ${Object.keys(workloads).join(", ")}`);
  const result = await fn();
  process.stdout.write(JSON.stringify(Object.assign({ workload: name }, result)) + "\n");
})().catch((err) => {
  const detail = err && err.response ? ` (HTTP ${err.response.status})` : "";
  process.stderr.write(`worker: ${err && err.message}${detail}\n`);
  process.exit(1);
});
