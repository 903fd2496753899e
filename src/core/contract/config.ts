// Contract: a configuration message (`msg.kind: 'config'`), as chargeledger-config-in emits it.
import { int, obj, oneOf } from './fields';
import { parser } from './result';

/** Configuration kinds. */
export const CONFIG_TOPICS = ['tariffs', 'limits'] as const;

/** A configuration message: `msg.topic` names the kind, `msg.payload` is the payload (decoded by its consumer). */
export interface ConfigMessage {
  topic: (typeof CONFIG_TOPICS)[number];
  payload: Record<string, unknown>;
  /** The backend's version of it. */
  version: number;
}

/** Parse a config message from its topic, payload and version. */
export const parseConfigMessage = parser<ConfigMessage>('config', (input) => {
  const m = obj(input, 'msg');
  return { topic: oneOf(m.topic, 'topic', CONFIG_TOPICS), payload: obj(m.payload, 'payload'), version: int(m.version ?? 0, 'version') };
});
