// What a CDR needs that a session record does not hold: the CPO (country_code, party_id), the
// location, each EVSE/connector, and who owns the drivers' tokens. Given as one JSON file in
// OCPI's own field names; checked here with a message naming the missing field.

/** The checked site description the CDR builder uses. */
export interface CdrSite {
  countryCode: string;
  partyId: string;
  /** CdrLocation fields other than the EVSE and connector ones. */
  location: Record<string, unknown>;
  token: { countryCode: string; partyId: string; type: string };
  authMethod: string;
  /** The EVSE and connector fields of CdrLocation for one charger connector. */
  evseOf(chargerId: string, connectorId: string): Record<string, string>;
}

const CONNECTOR_FIELDS = ['connector_standard', 'connector_format', 'connector_power_type'] as const;
const AUTH_METHODS = ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'];
const TOKEN_TYPES = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** OCPI 2.2.1 maximum lengths of the CdrLocation strings (mod_cdrs, CdrLocation class). */
const MAX_LENGTH: Record<string, number> = { id: 36, name: 255, address: 45, city: 45, postal_code: 10, state: 20, evse_uid: 36, evse_id: 48, connector_id: 36 };

function str(o: Json, key: string, where: string, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Error(`${where}.${key} is required (a string)`);
  if (pattern && !pattern.test(v)) throw new Error(`${where}.${key} "${v}" is not valid (${pattern})`);
  if (v.length > (MAX_LENGTH[key] ?? Infinity)) throw new Error(`${where}.${key} is longer than OCPI's ${MAX_LENGTH[key]} characters`);
  return v;
}

/**
 * Check a site description, e.g.
 * `{"country_code":"DE","party_id":"CLG","location":{"id":"LOC1","address":"...","city":"...",
 *   "country":"DEU","coordinates":{"latitude":"52.52","longitude":"13.40"}},
 *   "connector":{"connector_standard":"IEC_62196_T2","connector_format":"SOCKET","connector_power_type":"AC_3_PHASE"},
 *   "evses":{"CP1/1":{"evse_uid":"CP1-1","evse_id":"DE*CLG*E0001*1"}},
 *   "token":{"country_code":"DE","party_id":"CLG","type":"RFID"},"auth_method":"WHITELIST"}`.
 * `evses` (keyed "<chargerId>/<connectorId>") may override any EVSE/connector field; without an
 * entry, evse_uid is "<chargerId>-<connectorId>" and evse_id "<CC>*<PARTY>*E<chargerId>*<connectorId>".
 * `token` defaults to the CPO itself with type RFID, `auth_method` to WHITELIST.
 */
export function parseCdrSite(value: unknown): CdrSite {
  if (!isObj(value)) throw new Error('the site description must be a JSON object');
  const countryCode = str(value, 'country_code', 'site', /^[A-Z]{2}$/);
  const partyId = str(value, 'party_id', 'site', /^[A-Z0-9]{3}$/);
  if (!isObj(value.location)) throw new Error('site.location is required (an object)');
  const location = { ...value.location };
  for (const k of ['id', 'address', 'city']) str(location, k, 'site.location');
  for (const k of ['name', 'postal_code', 'state']) if (location[k] !== undefined) str(location, k, 'site.location');
  str(location, 'country', 'site.location', /^[A-Z]{3}$/);
  const c = location.coordinates;
  if (!isObj(c) || typeof c.latitude !== 'string' || typeof c.longitude !== 'string') throw new Error('site.location.coordinates must be {"latitude":"..","longitude":".."} (strings)');
  const connector = isObj(value.connector) ? value.connector : {};
  const evses = isObj(value.evses) ? value.evses : {};
  const tokenIn = isObj(value.token) ? value.token : {};
  const token = {
    countryCode: typeof tokenIn.country_code === 'string' ? tokenIn.country_code : countryCode,
    partyId: typeof tokenIn.party_id === 'string' ? tokenIn.party_id : partyId,
    type: typeof tokenIn.type === 'string' ? tokenIn.type : 'RFID',
  };
  if (!TOKEN_TYPES.includes(token.type)) throw new Error(`site.token.type must be one of ${TOKEN_TYPES.join(', ')}`);
  const authMethod = typeof value.auth_method === 'string' ? value.auth_method : 'WHITELIST';
  if (!AUTH_METHODS.includes(authMethod)) throw new Error(`site.auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  const evseOf = (chargerId: string, connectorId: string): Record<string, string> => {
    const own = evses[`${chargerId}/${connectorId}`];
    const merged: Record<string, unknown> = {
      evse_uid: `${chargerId}-${connectorId}`,
      evse_id: `${countryCode}*${partyId}*E${chargerId}*${connectorId}`,
      connector_id: connectorId,
      ...connector,
      ...(isObj(own) ? own : {}),
    };
    for (const f of ['evse_uid', 'evse_id', 'connector_id', ...CONNECTOR_FIELDS]) {
      if (typeof merged[f] !== 'string' || merged[f] === '') throw new Error(`site: ${f} for ${chargerId}/${connectorId} is missing (give it in "connector" or in "evses")`);
      str(merged, f, `site.evses["${chargerId}/${connectorId}"]`);
    }
    return merged as Record<string, string>;
  };
  return { countryCode, partyId, location, token, authMethod, evseOf };
}
