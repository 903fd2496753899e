module.exports = require('../dist/src/nodes/session.js').default;
