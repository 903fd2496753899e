import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// runtime/auth.js: the operator's login for the page (HTTP Basic on HTTP-node routes and socket.io).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const auth = require('../../runtime/auth.js');

const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('operator login', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cl-auth-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a password once and stores only its hash (0600), apart from the admin one', () => {
    const first = auth.ensureOperatorPassword(dir, {});
    expect(first.generated).toMatch(/^[\w-]{16}$/);
    const file = path.join(dir, 'operator-password.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(first.generated);
    const again = auth.ensureOperatorPassword(dir, {});
    expect(again.generated).toBeNull();
    expect(auth.checkPassword(first.generated, again.stored)).toBe(true);
    const admin = auth.ensureAdminPassword(dir, {});
    expect(auth.checkPassword(first.generated, admin.stored)).toBe(false);
  });

  it('takes CHARGELEDGER_OPERATOR_PASSWORD and writes nothing', () => {
    const got = auth.ensureOperatorPassword(dir, { CHARGELEDGER_OPERATOR_PASSWORD: 'op-secret' });
    expect(got.generated).toBeNull();
    expect(auth.checkPassword('op-secret', got.stored)).toBe(true);
    expect(() => statSync(path.join(dir, 'operator-password.json'))).toThrow();
  });

  it('lets only user operator with its password through, on HTTP and on socket.io', () => {
    const stored = auth.hashPassword('op-secret');
    const http = auth.operatorHttpAuth(stored);
    const io = auth.operatorIoAuth(stored);
    const tryHttp = (header?: string) => {
      const res: { code?: number; headers: Record<string, string>; set(k: string, v: string): void; status(c: number): any; send(): void } = {
        headers: {},
        set(k, v) { this.headers[k] = v; },
        status(c) { this.code = c; return this; },
        send() {},
      };
      let passed = false;
      http({ headers: header ? { authorization: header } : {} }, res, () => (passed = true));
      return { passed, res };
    };
    for (const h of [undefined, basic('operator', 'wrong'), basic('admin', 'op-secret'), 'Bearer x', 'Basic !!!']) {
      const { passed, res } = tryHttp(h);
      expect(passed, String(h)).toBe(false);
      expect(res.code).toBe(401);
      expect(res.headers['WWW-Authenticate']).toMatch(/^Basic realm=/);
    }
    expect(tryHttp(basic('operator', 'op-secret')).passed).toBe(true);
    expect(tryHttp(basic('operator', 'op-secret')).passed).toBe(true); // the remembered header
    const ioResult = (header?: string) => {
      let got: unknown = 'not called';
      io({ request: { headers: header ? { authorization: header } : {} } }, (err?: Error) => (got = err));
      return got;
    };
    expect(ioResult()).toBeInstanceOf(Error);
    expect(ioResult(basic('operator', 'nope'))).toBeInstanceOf(Error);
    expect(ioResult(basic('operator', 'op-secret'))).toBeUndefined();
  });
});
