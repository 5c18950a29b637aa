import { createSecretKey, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { gatewayTargetKeys, internalAudience } from '../lib/auth/internal-keys';
import type { Principal } from '../lib/auth/principal';
import { INTERNAL_ISSUER, signInternalToken, verifyInternalToken } from '../lib/auth/tokens';
import { internalTokenCache } from '../lib/auth/token-cache';

/**
 * The gateway signs its internal tokens with node:crypto's HMAC (not jose's SignJWT); jose still
 * verifies them on the subgraphs, so they must be the same compact JWS jose makes.
 */
describe('internal tokens signed without jose', () => {
  const master = randomBytes(32);
  const keyOf = gatewayTargetKeys(master);
  const officer: Principal = { sub: 'o-1', role: 'officer', department: 'HEALTH', purpose: 'CASE_WORK', caseId: 'C-7', scope: ['read', 'write'], auditOperation: 'AuditCase' };
  const citizen: Principal = { sub: 'cit_000001', role: 'citizen', scope: [] };

  it('is three base64url parts whose header is exactly {"alg":"HS256","typ":"JWT"}', () => {
    const token = signInternalToken(keyOf('health'), 'health', officer);
    expect(typeof token).toBe('string');
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts[0], 'base64url').toString()).toBe('{"alg":"HS256","typ":"JWT"}');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    // 32 bytes of HMAC-SHA256.
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(32);
  });

  it('carries the claims jose made, in the same order, leaving out undefined ones', () => {
    const before = Math.floor(Date.now() / 1000);
    const token = signInternalToken(keyOf('tax'), 'tax', citizen, 90);
    const after = Math.floor(Date.now() / 1000);
    const json = Buffer.from(token.split('.')[1], 'base64url').toString();
    const claims = JSON.parse(json);
    expect(Object.keys(claims)).toEqual(['role', 'scope', 'sub', 'iss', 'aud', 'iat', 'exp']);
    expect(claims).toMatchObject({ role: 'citizen', scope: '', sub: 'cit_000001', iss: INTERNAL_ISSUER, aud: internalAudience('tax') });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    expect(claims.exp - claims.iat).toBe(90);
    expect(Object.keys(decodeJwt(signInternalToken(keyOf('tax'), 'tax', officer)))).toEqual([
      'role', 'department', 'purpose', 'case', 'scope', 'op', 'sub', 'iss', 'aud', 'iat', 'exp',
    ]);
  });

  it("is byte for byte the token jose's SignJWT makes for the same claims and key", async () => {
    const key = keyOf('education');
    const ours = signInternalToken(key, 'education', officer);
    const { iat, exp } = decodeJwt(ours);
    const theirs = await new SignJWT({
      role: officer.role,
      department: officer.department,
      purpose: officer.purpose,
      case: officer.caseId,
      scope: officer.scope.join(' '),
      op: officer.auditOperation,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(officer.sub)
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(internalAudience('education'))
      .setIssuedAt(iat!)
      .setExpirationTime(exp!)
      .sign(key);
    expect(ours).toBe(theirs);
  });

  it('jose verifies it and reads the same principal', async () => {
    const token = signInternalToken(keyOf('health'), 'health', officer);
    expect(await verifyInternalToken(token, keyOf('health'), 'health', 60)).toEqual(officer);
    expect(await verifyInternalToken(signInternalToken(keyOf('health'), 'health', citizen), keyOf('health'), 'health', 60)).toEqual(citizen);
  });

  it("is refused with another target's key, for another audience, and when tampered with", async () => {
    const forTax = signInternalToken(keyOf('tax'), 'tax', officer);
    await expect(verifyInternalToken(forTax, keyOf('health'), 'health', 60)).rejects.toThrow(/signature is not valid/);
    // The right key for health, but the audience names tax.
    const misaddressed = signInternalToken(keyOf('health'), 'tax', officer);
    await expect(verifyInternalToken(misaddressed, keyOf('health'), 'health', 60)).rejects.toThrow(/claim "aud"/);
    const [header, , signature] = signInternalToken(keyOf('health'), 'health', citizen).split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(forTax), aud: internalAudience('health') })).toString('base64url');
    await expect(verifyInternalToken(`${header}.${payload}.${signature}`, keyOf('health'), 'health', 60)).rejects.toThrow(/signature is not valid/);
  });

  it('a lifetime longer than the subgraph allows is refused by it', async () => {
    const token = signInternalToken(keyOf('health'), 'health', citizen, 120);
    await expect(verifyInternalToken(token, keyOf('health'), 'health', 60)).rejects.toThrow(/lifetime .* 120 s; at most 60 s/);
  });

  it("the gateway's cache hands out the same token while it is fresh, and a failed signature as a rejection", async () => {
    let clock = 1_000_000;
    const tokens = internalTokenCache(master, 60, { now: () => clock });
    const first = await tokens(officer, 'health');
    expect(await verifyInternalToken(first, keyOf('health'), 'health', 60)).toEqual(officer);
    expect(await tokens({ ...officer, scope: [...officer.scope] }, 'health')).toBe(first);
    clock += 15_001;
    const later = tokens(officer, 'health');
    expect(later).toBeInstanceOf(Promise);
    expect(await verifyInternalToken(await later, keyOf('health'), 'health', 60)).toEqual(officer);
    expect(() => signInternalToken(createSecretKey(randomBytes(32)), 'health', citizen, Number.NaN)).toThrow(/lifetime/);
    const broken = internalTokenCache(master, Number.NaN, { reuseMs: 1000, now: () => clock });
    await expect(broken(citizen, 'health')).rejects.toThrow(/lifetime/);
  });
});
