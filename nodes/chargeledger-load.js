module.exports = require('../dist/src/nodes/load.js').default;
