module.exports = require('../dist/src/nodes/record.js').default;
