module.exports = require('../dist/src/nodes/report.js').default;
