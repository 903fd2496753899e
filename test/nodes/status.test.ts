import { describe, expect, it } from 'vitest';
import { statusClear, statusFault, statusOk, statusWarn } from '../../src/nodes/lib/status';
import type { Node } from '../../src/nodes/lib/red';

/** A node that records what reaches node.status(). */
function recorder(): { node: Node; sent: unknown[] } {
  const sent: unknown[] = [];
  return { node: { status: (s: unknown) => sent.push(s) } as unknown as Node, sent };
}

describe('node status helpers', () => {
  it('send a status only when it differs from the one shown', () => {
    const { node, sent } = recorder();
    statusOk(node, '11.0 kW');
    statusOk(node, '11.0 kW');
    statusOk(node, '11.1 kW');
    statusWarn(node, '11.1 kW');
    statusWarn(node, '11.1 kW');
    expect(sent).toEqual([
      { fill: 'green', shape: 'dot', text: '11.0 kW' },
      { fill: 'green', shape: 'dot', text: '11.1 kW' },
      { fill: 'yellow', shape: 'ring', text: '11.1 kW' },
    ]);
  });

  it('keep one memory per node, and send again after a clear', () => {
    const a = recorder();
    const b = recorder();
    statusFault(a.node, 'disconnected');
    statusFault(b.node, 'disconnected');
    statusClear(a.node);
    statusFault(a.node, 'disconnected');
    expect(a.sent).toEqual([{ fill: 'red', shape: 'ring', text: 'disconnected' }, {}, { fill: 'red', shape: 'ring', text: 'disconnected' }]);
    expect(b.sent).toHaveLength(1);
  });

  it('compare the text as shown, cut to fit under the node', () => {
    const { node, sent } = recorder();
    statusOk(node, 'a status text far longer than fits');
    statusOk(node, 'a status text far longer than fits, differing only past the cut');
    expect(sent).toHaveLength(1);
  });
});
