module.exports = require('../dist/src/nodes/tariff.js').default;
