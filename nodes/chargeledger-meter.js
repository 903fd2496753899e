module.exports = require('../dist/src/nodes/meter.js').default;
