// Admin endpoint of the ledger config node: download the stored sessions from the running
// station (CSV or JSON lines), which the CLI cannot read while Node-RED holds the LevelDB lock.
// GET /chargeledger/ledger/<node id>/sessions?format=csv|jsonl&since=ISO, behind the
// chargeledger.read permission.
import { exportLines, exportOptionsProblem, type ExportFormat } from '../adapters/store/export';
import type { LedgerConfigNode } from './lib/config-nodes';
import type { AdminResponse, NodeAPI } from './lib/red';

/** Write one line, waiting for the socket to drain when its buffer is full. */
async function writeLine(res: AdminResponse, line: string): Promise<void> {
  if (!res.write(`${line}\n`)) await new Promise<void>((resolve) => res.once('drain', () => resolve()));
}

/** Register the download route (once per runtime). */
export function registerLedgerExport(RED: NodeAPI): void {
  // The permission check's next() is mandatory; the local typing of httpAdmin.get calls it optional.
  const canRead = RED.auth.needsPermission('chargeledger.read') as Parameters<NodeAPI['httpAdmin']['get']>[1];
  RED.httpAdmin.get('/chargeledger/ledger/:id/sessions', canRead, (req, res) => {
    const format = req.query.format ?? 'csv';
    const since = req.query.since;
    const problem = exportOptionsProblem(format, since);
    if (problem) return res.status(400).json({ error: problem });
    const node = RED.nodes.getNode(req.params.id) as LedgerConfigNode | null;
    if (!node || node.type !== 'chargeledger-ledger') return res.status(404).json({ error: `no deployed ledger node ${req.params.id}` });
    const store = node.store;
    if (!store) return res.status(503).json({ error: `the ledger is not open: ${node.failure?.message ?? 'unknown reason'}` });
    void (async () => {
      try {
        await store.ready;
      } catch (e) {
        return res.status(503).json({ error: `the ledger is not open: ${(e as Error).message}` });
      }
      const csv = format === 'csv';
      res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${node.stationId.replace(/[^\w.-]/g, '_')}-sessions.${format}"`);
      try {
        for await (const line of exportLines(store, { format: format as ExportFormat, since })) await writeLine(res, line);
        res.end();
      } catch (e) {
        // Headers are out: the only honest signal left is a broken download, never a short file that looks whole.
        node.warn(`session download failed: ${(e as Error).message}`);
        res.destroy(e as Error);
      }
    })();
  });
}
