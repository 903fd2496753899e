module.exports = require('../dist/src/nodes/ledger.js').default;
