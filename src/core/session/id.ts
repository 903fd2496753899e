// Session ids: stable across restarts because the random suffix is chosen once and checkpointed.

/** `<stationId>-<chargerId>-<connectorId>-<YYYYMMDDThhmmssZ>-<suffix>`; the suffix keeps two sessions started in the same second apart. */
export function sessionId(stationId: string, chargerId: string, connectorId: string, startWallMs: number, suffix: string): string {
  const t = new Date(startWallMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${stationId}-${chargerId}-${connectorId}-${t}-${suffix}`;
}
