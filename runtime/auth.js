'use strict';
// Logins. `admin`: the editor and the admin API. `operator`: the operator's page (/dashboard),
// by HTTP Basic auth on Node-RED's HTTP-node routes (httpNodeAuth) and the page's socket.io
// handshake; it is not an editor user, so it can neither open the editor nor count towards the
// editor's per-user-name login lockout. Only scrypt hashes are kept: in memory when a password
// comes from the environment, in <data dir>/<user>-password.json when it was generated on the
// first start (and printed once).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
// The compiled package's durable write (npm start and npm install build dist/ first).
const { writeFileAtomic } = require('../dist/src/adapters/fs/atomic-file.js');

const HASH_FILE = 'admin-password.json';
const OPERATOR_HASH_FILE = 'operator-password.json';
/** The operator's user name (HTTP Basic auth on the page; never an editor user). */
const OPERATOR_USER = 'operator';
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

/** Hash a password with a fresh salt. */
function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return { algo: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('hex'), hash: hash.toString('hex') };
}

/** Constant-time check of a password against a stored hash. */
function checkPassword(password, stored) {
  if (!stored || stored.algo !== 'scrypt' || typeof password !== 'string') return false;
  const expected = Buffer.from(stored.hash, 'hex');
  const got = crypto.scryptSync(password, Buffer.from(stored.salt, 'hex'), expected.length, { N: stored.N, r: stored.r, p: stored.p });
  return crypto.timingSafeEqual(expected, got);
}

/**
 * The stored hash for this data dir. With CHARGELEDGER_ADMIN_PASSWORD it hashes that (nothing
 * is written). Without it, the first call generates a password, writes only its hash (mode 0600)
 * and returns the clear password once in `generated`, for the caller to print.
 */
function ensureAdminPassword(dataDir, env = process.env) {
  return ensurePassword(dataDir, HASH_FILE, env.CHARGELEDGER_ADMIN_PASSWORD);
}

/** The same for the operator's page: CHARGELEDGER_OPERATOR_PASSWORD or <data dir>/operator-password.json. */
function ensureOperatorPassword(dataDir, env = process.env) {
  return ensurePassword(dataDir, OPERATOR_HASH_FILE, env.CHARGELEDGER_OPERATOR_PASSWORD);
}

function ensurePassword(dataDir, hashFile, fromEnv) {
  if (fromEnv) return { stored: hashPassword(fromEnv), generated: null };
  const file = path.join(dataDir, hashFile);
  if (fs.existsSync(file)) return { stored: JSON.parse(fs.readFileSync(file, 'utf8')), generated: null };
  const generated = crypto.randomBytes(12).toString('base64url');
  const stored = hashPassword(generated);
  writeFileAtomic(file, JSON.stringify(stored), 0o600);
  return { stored, generated };
}

/** Node-RED `adminAuth` for one admin user whose password hash is `stored`. */
function adminAuth(stored, username = 'admin') {
  return {
    type: 'credentials',
    users: (name) => Promise.resolve(name === username ? { username, permissions: '*' } : null),
    authenticate: (name, password) => Promise.resolve(name === username && checkPassword(password, stored) ? { username, permissions: '*' } : null),
  };
}

/**
 * A checker of `Authorization: Basic …` headers for the operator. scrypt is slow on purpose, and
 * the page loads dozens of files, so a header that passed is remembered by its SHA-256 (a few
 * entries; a changed password means a restart, which forgets them).
 */
function basicChecker(stored, username = OPERATOR_USER) {
  const good = new Set();
  return (header) => {
    if (typeof header !== 'string' || !header.startsWith('Basic ')) return false;
    const key = crypto.createHash('sha256').update(header).digest('hex');
    if (good.has(key)) return true;
    const clear = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = clear.indexOf(':');
    if (colon < 0 || clear.slice(0, colon) !== username || !checkPassword(clear.slice(colon + 1), stored)) return false;
    if (good.size >= 16) good.clear();
    good.add(key);
    return true;
  };
}

/** Node-RED `httpNodeAuth` middleware: HTTP Basic auth for user `operator` on every HTTP-node route. */
function operatorHttpAuth(stored) {
  const ok = basicChecker(stored);
  return (req, res, next) => {
    if (ok(req.headers.authorization)) return next();
    res.set('WWW-Authenticate', 'Basic realm="ChargeLedger operator", charset="UTF-8"');
    res.status(401).send('operator login required');
  };
}

/**
 * Dashboard 2 `ioMiddleware`: the page's socket.io handshake carries the browser's Basic
 * credentials (it starts with HTTP long-polling on the same origin); without them, no data.
 */
function operatorIoAuth(stored) {
  const ok = basicChecker(stored);
  return (socket, next) => (ok(socket.request.headers.authorization) ? next() : next(new Error('operator login required')));
}

module.exports = { hashPassword, checkPassword, ensureAdminPassword, ensureOperatorPassword, adminAuth, operatorHttpAuth, operatorIoAuth, HASH_FILE, OPERATOR_HASH_FILE, OPERATOR_USER };
