module.exports = require('../dist/src/nodes/config-in.js').default;
