'use strict';
// Node-RED settings for ChargeLedger (`npm start`). Site-specific values come from the
// environment (see README.md); runtime/start.js sets the derived ones before Node-RED starts.
const path = require('node:path');
const { ensureAdminPassword, ensureOperatorPassword, adminAuth, operatorHttpAuth, operatorIoAuth } = require('./auth');

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.CHARGELEDGER_DATA_DIR || 'data');
const password = ensureAdminPassword(dataDir);
// Only when Node-RED is started with this file directly (runtime/start.js creates it first).
if (password.generated) console.log(`ChargeLedger editor login: admin / ${password.generated} (shown once; only its hash is stored)`);
const operator = ensureOperatorPassword(dataDir);
if (operator.generated) console.log(`ChargeLedger operator page login: operator / ${operator.generated} (shown once; only its hash is stored)`);

module.exports = {
  uiHost: process.env.CHARGELEDGER_HOST || '127.0.0.1',
  uiPort: Number(process.env.CHARGELEDGER_PORT || 1880),
  userDir: path.join(dataDir, 'node-red'),
  flowFile: 'flows.json',
  flowFilePretty: true,
  // Load this package as a Node-RED module (its package.json "node-red" section), so the
  // palette, icons and Import ▸ Examples work exactly as for an installed package.
  nodesDir: [root],
  adminAuth: adminAuth(password.stored),
  credentialSecret: process.env.CHARGELEDGER_CREDENTIAL_SECRET || undefined,
  // HTTP-node routes (the operator page at /dashboard) sit beside the editor at the root and
  // need the operator's login; the editor's own routes are matched first and use adminAuth.
  httpNodeRoot: '/',
  httpNodeAuth: operatorHttpAuth(operator.stored),
  // FlowFuse Dashboard 2: its live data (socket.io) needs the same login as its pages.
  dashboard: { ioMiddleware: operatorIoAuth(operator.stored) },
  functionExternalModules: false,
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  telemetry: { enabled: false },
  logging: { console: { level: process.env.CHARGELEDGER_LOG_LEVEL || 'info', metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false }, tours: false, palette: { catalogues: [] } },
  // Tuning knobs for ChargeLedger nodes: technicians should not need to touch these.
  chargeledgerDataDir: dataDir,
  exportGlobalContextKeys: false,
  // Benchmarks only (bench/dashboard.js): the runtime without FlowFuse Dashboard 2 loaded at all.
  ...(process.env.CHARGELEDGER_BENCH_NO_DASHBOARD === '1' ? { nodesExcludes: ['node-red-dashboard'] } : {}),
};
