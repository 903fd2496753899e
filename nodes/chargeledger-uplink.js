module.exports = require('../dist/src/nodes/uplink.js').default;
