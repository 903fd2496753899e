'use strict';
// Admin login for the editor and the admin API. Only a scrypt hash of the password is kept:
// in memory when it comes from CHARGELEDGER_ADMIN_PASSWORD, in <data dir>/admin-password.json
// when it was generated on the first start (and printed once).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
// The compiled package's durable write (npm start and npm install build dist/ first).
const { writeFileAtomic } = require('../dist/src/adapters/fs/atomic-file.js');

const HASH_FILE = 'admin-password.json';
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
  if (env.CHARGELEDGER_ADMIN_PASSWORD) return { stored: hashPassword(env.CHARGELEDGER_ADMIN_PASSWORD), generated: null };
  const file = path.join(dataDir, HASH_FILE);
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

module.exports = { hashPassword, checkPassword, ensureAdminPassword, adminAuth, HASH_FILE };
