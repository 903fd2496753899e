// Modbus RTU framing for energy meters such as the Eastron SDM630: CRC-16/MODBUS, the
// read-input-registers (FC04) / read-holding-registers (FC03) request and response frames, and
// big-endian float32 register decoding.

/** CRC-16/MODBUS: polynomial 0xA001 reflected, init 0xFFFF, no final XOR. */
export function crc16modbus(bytes: Uint8Array, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = 0; i < end; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Append the CRC, low byte first, as Modbus RTU sends it. */
function withCrc(body: number[]): Uint8Array {
  const crc = crc16modbus(Uint8Array.from(body));
  return Uint8Array.from([...body, crc & 0xff, crc >>> 8]);
}

/** A read request: slave, function 3 or 4, first register address (0-based), register count (1..125). */
export function readRegistersRequest(slave: number, address: number, count: number, fn: 3 | 4 = 4): Uint8Array {
  if (!Number.isInteger(slave) || slave < 1 || slave > 247) throw new RangeError(`Modbus slave id must be 1..247, got ${slave}`);
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) throw new RangeError(`register address must be 0..65535, got ${address}`);
  if (!Number.isInteger(count) || count < 1 || count > 125) throw new RangeError(`register count must be 1..125, got ${count}`);
  return withCrc([slave, fn, address >> 8, address & 0xff, count >> 8, count & 0xff]);
}

/** A response frame as a slave sends it (for tests and simulators). */
export function registersResponse(slave: number, fn: 3 | 4, data: Uint8Array): Uint8Array {
  return withCrc([slave, fn, data.length, ...data]);
}

/** An exception response as a slave sends it (code 2: illegal data address). */
export function exceptionResponse(slave: number, fn: 3 | 4, code: number): Uint8Array {
  return withCrc([slave, fn | 0x80, code]);
}

/** True when the frame's last two bytes are its CRC (low byte first). */
export function crcValid(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const crc = crc16modbus(frame, frame.length - 2);
  return frame[frame.length - 2] === (crc & 0xff) && frame[frame.length - 1] === crc >>> 8;
}

/** A decoded read response, or why it was rejected. */
export type ModbusResponse =
  | { ok: true; slave: number; fn: number; data: Uint8Array }
  | { ok: false; reason: 'bad_checksum' | 'truncated' | 'garbage' | 'exception'; detail: string };

/** Check and decode a read-registers response against what was asked. */
export function parseRegistersResponse(frame: Uint8Array, expect: { slave: number; fn: 3 | 4; count: number }): ModbusResponse {
  if (frame.length >= 5 && frame[1] === (expect.fn | 0x80)) {
    if (!crcValid(frame.subarray(0, 5))) return { ok: false, reason: 'bad_checksum', detail: 'exception frame with a bad CRC' };
    return { ok: false, reason: 'exception', detail: `slave ${frame[0]} answered exception code ${frame[2]}` };
  }
  const len = 5 + expect.count * 2;
  if (frame.length < len) return { ok: false, reason: 'truncated', detail: `response has ${frame.length} of ${len} bytes` };
  if (frame.length > len) return { ok: false, reason: 'garbage', detail: `response has ${frame.length - len} extra bytes` };
  if (!crcValid(frame)) return { ok: false, reason: 'bad_checksum', detail: 'response CRC does not match' };
  if (frame[0] !== expect.slave || frame[1] !== expect.fn || frame[2] !== expect.count * 2) {
    return { ok: false, reason: 'garbage', detail: `unexpected header: slave ${frame[0]}, function ${frame[1]}, ${frame[2]} bytes` };
  }
  return { ok: true, slave: frame[0], fn: frame[1], data: frame.subarray(3, len - 2) };
}

/** IEEE 754 float32, big-endian, high word first, from `data` at byte `offset`. */
export function float32be(data: Uint8Array, offset: number): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat32(offset, false);
}

/**
 * The shortest decimal text that reads back as the same float32 ("1234.5677", not
 * "1234.5677490234375"): what the meter meant, given float32's ~7 significant digits.
 */
export function float32ToDecimal(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return plainDecimal(Number(s));
  }
  return plainDecimal(x);
}

/** Decimal text without exponent notation. */
function plainDecimal(x: number): string {
  const s = String(x);
  if (!/e/i.test(s)) return s;
  return x.toFixed(20).replace(/\.?0+$/, '');
}
