// A meter port's decoded traffic: a MeterLink's lines go through the telegram decoder and come
// out as readings and rejections, synchronously on the line that completes a telegram, so
// nothing adds latency between the meter's last byte and the reading.
import { EventEmitter } from 'node:events';
import type { DecodeEvent, LineClock } from '../../core/meter/events';
import type { LinkState, MeterLink } from './meter-link';

/** The part of the core decoder a feed needs. */
export interface LineDecoder {
  push(line: string, clock: LineClock): DecodeEvent[];
  /** The stream ended: report a telegram left open (as truncated) and start afresh. */
  end?(): DecodeEvent[];
}

/** Listener for decoded events. */
export type DecodedListener = (ev: DecodeEvent) => void;

/** Events: 'decoded' (DecodeEvent), 'state' (LinkState), 'problem' (reason, Error), 'handshake'. */
export class MeterFeed extends EventEmitter {
  constructor(
    readonly link: MeterLink,
    readonly decoder: LineDecoder,
    private readonly clock: () => LineClock = () => ({ timeMs: Date.now(), monoMs: performance.now() }),
  ) {
    super();
    // Many meter nodes may listen to one shared port.
    this.setMaxListeners(0);
    link.on('line', (line: string) => {
      const events = this.decoder.push(line, this.clock());
      for (const ev of events) this.emit('decoded', ev);
    });
    link.on('state', (s: LinkState) => {
      // A telegram cut by the unplug is reported as truncated, before the disconnection.
      if (!s.connected && this.decoder.end) for (const ev of this.decoder.end()) this.emit('decoded', ev);
      this.emit('state', s);
    });
    link.on('problem', (reason: string, err: Error) => {
      // Noise without line ends (a wrong baud rate) never reaches the decoder, yet it is
      // corrupt input: it is counted as garbage, so health shows corrupt rather than stale.
      if (reason === 'line_too_long') this.emit('decoded', { ok: false, reason: 'garbage', detail: err.message } satisfies DecodeEvent);
      this.emit('problem', reason, err);
    });
    link.on('handshake', (h: unknown) => this.emit('handshake', h));
  }

  /** Whether the port is open right now. */
  get connected(): boolean {
    return this.link.isConnected;
  }

  /** Start the link; see MeterLink.open (rejects on the first failure while retries go on). */
  open(): Promise<void> {
    return this.link.open();
  }

  /** Stop for good. */
  close(): Promise<void> {
    return this.link.close();
  }
}
