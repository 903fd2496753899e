module.exports = require('../dist/src/nodes/meter-port.js').default;
