'use strict';
// The embedded MQTT broker (aedes) used when CHARGELEDGER_MQTT_URL is not set.
const net = require('node:net');

/** Start aedes on host:port; resolves to { port, close() }. aedes 1.x is ESM-only, hence import(). */
async function startEmbeddedBroker(host, port) {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      for (const c of Object.values(broker.clients || {})) c.close?.();
      server.close(() => broker.close(() => resolve()));
    }),
  };
}

module.exports = { startEmbeddedBroker };
