module.exports = require('../dist/src/nodes/sync.js').default;
