// One IEC 62056-21 mode C sign-on over an open connection (see iec-mode-c.ts for the protocol).
import type { Conn } from './conn';
import { ackOptionSelect, IEC_INITIAL, IEC_REQUEST, cleanIdent, identBaudChar, modeCBaudRate } from './iec-mode-c';

/** Pause between the drained ACK and the baud switch, ms (well under the meter's 200 ms minimum). */
export const ACK_SETTLE_MS = 50;

/** What the sign-on agreed. */
export interface HandshakeResult {
  /** The meter's identification line, e.g. "/LGZ5ZMD3104407.B32". */
  ident: string;
  /** The baud rate the data readout arrives at. */
  baudRate: number;
}

/** Waits for the next identification line; rejects after the timeout. */
export type IdentWaiter = (timeoutMs: number) => Promise<string>;

/**
 * Sign on: (back to 300 baud), send "/?!", read the identification, acknowledge and switch.
 * Over TCP the gateway's baud rate cannot be changed, so the acknowledgement selects '0'
 * (stay at 300 baud) and the meter keeps the speed the gateway uses; likewise with switchBaud false.
 */
export async function modeCHandshake(conn: Conn, waitIdent: IdentWaiter, identTimeoutMs = 3000, switchBaud = true): Promise<HandshakeResult> {
  const canSwitch = switchBaud && conn.kind === 'serial';
  if (conn.kind === 'serial' && conn.baudRate() !== IEC_INITIAL.baudRate) await conn.setBaudRate(IEC_INITIAL.baudRate);
  const identP = waitIdent(identTimeoutMs);
  await conn.write(IEC_REQUEST);
  const ident = cleanIdent(await identP);
  const offered = modeCBaudRate(ident);
  if (offered === null) throw new Error(`meter identification "${ident}" is not a mode C one (baud char "${identBaudChar(ident)}")`);
  const baudChar = canSwitch ? identBaudChar(ident) : '0';
  // write() resolves after drain, i.e. once the ACK has left the UART at the old speed:
  // switching earlier would garble the ACK itself.
  await conn.write(ackOptionSelect(baudChar));
  const baudRate = canSwitch ? offered : IEC_INITIAL.baudRate;
  if (canSwitch && baudRate !== conn.baudRate()) {
    // Why the pause: serialport's baud change flushes both queues (tcflush TCIOFLUSH), and a
    // USB adapter or pty may still hold the ACK after drain. The meter answers 200 ms at the
    // earliest after the ACK (IEC 62056-21 response time), so a short pause loses nothing.
    await new Promise((r) => setTimeout(r, ACK_SETTLE_MS));
    await conn.setBaudRate(baudRate);
  }
  return { ident, baudRate };
}
