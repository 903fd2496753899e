// What a meter node shows under itself: a level (colour) and a text under 20 characters.
import type { MeterHealthState } from '../types';

/** Status colour class: green dot, yellow ring, red ring. */
export type StatusLevel = 'ok' | 'warn' | 'fault';

/** Input for the status text of one meter. */
export interface StatusInput {
  state: MeterHealthState;
  /** Whether the port is open (distinguishes "waiting for data" from "disconnected"). */
  connected: boolean;
  /** Ms since the last good reading, null if none. */
  lastGoodAgeMs: number | null;
  /** Last reported active power, W. */
  powerW?: number;
  /** Reason of the most recent error. */
  lastError?: string | null;
  /** Meters behind the node (a bus); with more than one the worst one is named. */
  meters?: number;
  /** The meter the state is about. */
  meterId?: string | null;
}

/** A human duration for status texts: 45s, 12m, 3h, 2d. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Active power as kW with one decimal, e.g. 11040 → "11.0 kW". */
export function formatKw(powerW: number): string {
  return `${(powerW / 1000).toFixed(1)} kW`;
}

/** Status level and text (before cutting to 19 characters) for a meter's health. */
export function meterStatus(s: StatusInput): { level: StatusLevel; text: string } {
  switch (s.state) {
    case 'ok':
      if ((s.meters ?? 1) > 1) return { level: 'ok', text: `ok ${s.meters} meters` };
      return { level: 'ok', text: s.powerW === undefined ? 'ok' : `ok ${formatKw(s.powerW)}` };
    case 'stale': {
      const who = (s.meters ?? 1) > 1 && s.meterId ? `${s.meterId} ` : '';
      return { level: 'warn', text: s.lastGoodAgeMs === null ? `stale ${who}no data` : `stale ${who}${formatAge(s.lastGoodAgeMs)}` };
    }
    case 'corrupt':
      return { level: 'fault', text: s.lastError ? `corrupt: ${s.lastError}` : 'corrupt' };
    default:
      return s.connected ? { level: 'warn', text: 'waiting for data' } : { level: 'fault', text: 'disconnected' };
  }
}

/**
 * The same status as a message key of the meter node's catalog (`chargeledger-meter.status.<key>`)
 * with its figures, so the node can show it in the runtime's language.
 */
export function meterStatusKey(s: StatusInput): { level: StatusLevel; key: string; params?: Record<string, string | number> } {
  switch (s.state) {
    case 'ok':
      if ((s.meters ?? 1) > 1) return { level: 'ok', key: 'okMeters', params: { count: s.meters ?? 1 } };
      return s.powerW === undefined ? { level: 'ok', key: 'ok' } : { level: 'ok', key: 'okPower', params: { kW: (s.powerW / 1000).toFixed(1) } };
    case 'stale': {
      const meter = (s.meters ?? 1) > 1 && s.meterId ? s.meterId : null;
      if (s.lastGoodAgeMs === null) return meter ? { level: 'warn', key: 'staleMeterNoData', params: { meter } } : { level: 'warn', key: 'staleNoData' };
      const age = formatAge(s.lastGoodAgeMs);
      return meter ? { level: 'warn', key: 'staleMeter', params: { meter, age } } : { level: 'warn', key: 'stale', params: { age } };
    }
    case 'corrupt':
      return s.lastError ? { level: 'fault', key: 'corruptReason', params: { reason: s.lastError } } : { level: 'fault', key: 'corrupt' };
    default:
      return s.connected ? { level: 'warn', key: 'waiting' } : { level: 'fault', key: 'disconnected' };
  }
}
