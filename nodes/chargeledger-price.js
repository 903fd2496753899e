module.exports = require('../dist/src/nodes/price.js').default;
