// MQTT topic names of the ChargeLedger uplink contract (schemas/README.md).

/** Default first topic level. */
export const DEFAULT_PREFIX = 'chargeledger';

/** The configuration kinds a backend may push down. */
export type ConfigKind = 'tariffs' | 'limits';

/** Every topic of one station, under `<prefix>/<stationId>/`. */
export interface StationTopics {
  sessions: string;
  acks: string;
  status: string;
  telemetry: string;
  config: Record<ConfigKind, string>;
  configResult: string;
}

/** Reject levels that would break the topic tree (wildcards, separators, empty). */
export function checkTopicLevel(level: string, what: string): string {
  if (!level || /[+#/]/.test(level) || level.includes('\u0000')) throw new Error(`${what} must be a non-empty topic level without '/', '+', '#': "${level}"`);
  return level;
}

/** Topic prefix: one or more levels, no wildcards, no leading/trailing slash. */
export function checkPrefix(prefix: string): string {
  if (!prefix || /[+#]/.test(prefix) || prefix.includes('\u0000') || prefix.startsWith('/') || prefix.endsWith('/') || prefix.includes('//')) {
    throw new Error(`topic prefix must be levels without wildcards or empty levels: "${prefix}"`);
  }
  return prefix;
}

/** Build every topic of one station. */
export function stationTopics(prefix: string, stationId: string): StationTopics {
  const base = `${checkPrefix(prefix)}/${checkTopicLevel(stationId, 'station id')}`;
  return {
    sessions: `${base}/sessions`,
    acks: `${base}/acks`,
    status: `${base}/status`,
    telemetry: `${base}/telemetry`,
    config: { tariffs: `${base}/config/tariffs`, limits: `${base}/config/limits` },
    configResult: `${base}/config/result`,
  };
}

/** The receiver's subscription to every station's records, shared by `group` when given (MQTT 5). */
export function sessionsSubscription(prefix: string, group?: string): string {
  const filter = `${checkPrefix(prefix)}/+/sessions`;
  return group ? `$share/${checkTopicLevel(group, 'share group')}/${filter}` : filter;
}

/** The station id of a `<prefix>/<stationId>/sessions` topic, or null if the topic is not one. */
export function stationOfSessionsTopic(prefix: string, topic: string): string | null {
  const head = `${prefix}/`;
  if (!topic.startsWith(head) || !topic.endsWith('/sessions')) return null;
  const station = topic.slice(head.length, -'/sessions'.length);
  return station && !station.includes('/') ? station : null;
}

/** The acks topic for a station under a prefix. */
export function acksTopic(prefix: string, stationId: string): string {
  return `${prefix}/${stationId}/acks`;
}
