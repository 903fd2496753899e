/* global self */
// Versioned node configs: the migration chain that upgrades a node's saved properties from older
// releases. One file for both sides: the runtime requires it (src/nodes/lib/migrate.ts) and the
// editor loads it from resources/node-red-contrib-chargeledger/migrations.js (oneditprepare).
// A step only fills in what an older release did not save, with the value that release behaved
// by, so a flow saved years ago runs as it did. Never change a released step; add a new one.
(function (root, factory) {
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ChargeLedgerMigrations = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /** Fill `props` where the saved config has no value (undefined; '' is a value the user chose). */
  function fill(props) {
    return function (def) {
      for (const k of Object.keys(props)) if (def[k] === undefined) def[k] = props[k];
    };
  }

  /**
   * Steps per node type: step i upgrades a config of version i to i + 1. Version 0 is every config
   * saved before configs carried a version (package 0.1.0).
   */
  const STEPS = {
    'chargeledger-meter-port': [fill({})],
    'chargeledger-meter': [fill({})],
    // 0.1.0's editor saved recoveryPolicy with every session node ('close' by default then), so a
    // saved flow keeps its choice; 0.2.0 resumes by default only where nothing was chosen.
    'chargeledger-session': [fill({})],
    'chargeledger-tariff': [fill({})],
    'chargeledger-price': [fill({})],
    'chargeledger-ledger': [fill({})],
    'chargeledger-record': [fill({ spillDir: '', spillMaxMB: 10 })],
    // Acks are signed from 0.2.0 on: an uplink saved before has no backend key, so the sync node keeps
    // every record (and says "no ack key") until one is set. Safety over sameness, on purpose.
    'chargeledger-uplink': [fill({ ackKey: '', ackAuth: 'signed' })],
    'chargeledger-sync': [fill({})],
    'chargeledger-config-in': [fill({})],
    // 0.1.0 sent every setpoint of every decision.
    'chargeledger-load': [fill({ send: 'all' })],
    'chargeledger-report': [fill({})],
  };

  /** The config version the current release writes for a node type. */
  function currentVersion(type) {
    return (STEPS[type] || []).length;
  }

  /**
   * Upgrade a node's saved properties in place to the current version; returns the version it
   * had. A config from a newer release than this one is left alone (and reported by the caller).
   */
  function migrate(def) {
    const steps = STEPS[def.type] || [];
    const raw = def.configVersion;
    const from = raw === undefined || raw === '' || raw === null ? 0 : Number(raw);
    if (!Number.isInteger(from) || from < 0) throw new Error('configVersion must be a whole number >= 0, got ' + JSON.stringify(raw));
    if (from > steps.length) return from;
    for (let v = from; v < steps.length; v++) steps[v](def);
    def.configVersion = steps.length;
    return from;
  }

  return { migrate: migrate, currentVersion: currentVersion, types: Object.keys(STEPS) };
});
