import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayTargetKeys, targetKey } from '../lib/auth/internal-keys';
import type { Principal } from '../lib/auth/principal';
import { gatewayKeys, internalTokenKeyText, routeKeyText, subgraphKey } from '../lib/auth/setup';
import { signInternalToken, verifyInternalToken } from '../lib/auth/tokens';
import { loadConfig } from '../lib/config';

/**
 * How an operator configures the gateway's tokens to the subgraphs (README, "Production keys"):
 * one master secret for the gateway, and for each subgraph the key printed for it.
 */
describe("configuring the gateway's tokens to the subgraphs", () => {
  const officer: Principal = { sub: 'o-1', role: 'officer', department: 'HEALTH', scope: [] };
  const master = randomBytes(32).toString('base64');
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cg-tokens-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("a subgraph given the key printed for it accepts the gateway's tokens for it, and only those", async () => {
    const gatewayConfig = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, INTERNAL_TOKEN_SECRET: master });
    const printed = internalTokenKeyText(gatewayConfig, 'health');
    const healthConfig = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, INTERNAL_TOKEN_KEY: printed });
    const health = subgraphKey(healthConfig, 'health');
    const keyOf = gatewayTargetKeys(gatewayConfig.auth.internalTokenSecret!);

    const forHealth = await signInternalToken(keyOf('health'), 'health', officer);
    expect(await verifyInternalToken(forHealth, targetKey(health.key, 'health'), 'health', health.maxLifetime)).toMatchObject({ sub: 'o-1' });
    const forTax = await signInternalToken(keyOf('tax'), 'tax', officer);
    await expect(verifyInternalToken(forTax, targetKey(health.key, 'health'), 'health', health.maxLifetime)).rejects.toThrow(/signature is not valid/);
  });

  it("the applications desk, given the key printed for education/applications, reaches that route and nothing else", async () => {
    const gatewayConfig = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, INTERNAL_TOKEN_SECRET: master });
    const deskKey = createSecretKey(Buffer.from(routeKeyText(gatewayConfig, 'education', 'applications'), 'base64url'));
    const education = subgraphKey(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, INTERNAL_TOKEN_KEY: internalTokenKeyText(gatewayConfig, 'education') }), 'education');
    const citizen: Principal = { sub: 'cit_000001', role: 'citizen', scope: [] };
    const forRoute = await signInternalToken(deskKey, 'education/applications', citizen);
    expect(await verifyInternalToken(forRoute, targetKey(education.key, 'education/applications'), 'education/applications', 60)).toMatchObject({ sub: 'cit_000001' });
    // The same key cannot make a token education's GraphQL endpoint accepts.
    const forGraphql = await signInternalToken(deskKey, 'education', citizen);
    await expect(verifyInternalToken(forGraphql, targetKey(education.key, 'education'), 'education', 60)).rejects.toThrow(/signature is not valid/);
  });

  it('in production a subgraph without INTERNAL_TOKEN_KEY refuses to start, even when the master secret is at hand', () => {
    expect(() => subgraphKey(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }), 'tax')).toThrow(/INTERNAL_TOKEN_KEY must be configured .* internal-key tax/);
    expect(() => subgraphKey(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, INTERNAL_TOKEN_SECRET: master }), 'tax')).toThrow(
      /INTERNAL_TOKEN_SECRET is set here, but it belongs to the gateway alone/,
    );
  });

  it('in production the gateway without INTERNAL_TOKEN_SECRET refuses to start', async () => {
    const env = { NODE_ENV: 'production', DATA_DIR: dataDir, AUTH_JWKS_URL: 'https://idp.example/jwks' };
    await expect(gatewayKeys(loadConfig(env))).rejects.toThrow(/INTERNAL_TOKEN_SECRET must be configured when NODE_ENV=production/);
  });

  it('in development the gateway and every subgraph share a secret made once under DATA_DIR/keys', async () => {
    const cfg = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
    const gateway = await gatewayKeys(cfg);
    const education = subgraphKey(loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir }), 'education');
    const token = await signInternalToken(gatewayTargetKeys(gateway.internalTokenSecret)('education'), 'education', officer);
    expect(await verifyInternalToken(token, targetKey(education.key, 'education'), 'education', 60)).toMatchObject({ sub: 'o-1' });
  });

  it.each([
    ['too short', randomBytes(16).toString('base64'), /INTERNAL_TOKEN_SECRET must hold at least 32 random bytes .*; received 16$/],
    ['not base64', `${'x'.repeat(40)} !`, /INTERNAL_TOKEN_SECRET must be base64 or base64url text/],
  ])('a master secret that is %s is refused, naming the variable and never echoing the value', (_case, value, reason) => {
    let message = '';
    try {
      loadConfig({ INTERNAL_TOKEN_SECRET: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(reason);
    expect(message).not.toContain(value);
  });

  it('AUTH_MAX_TOKEN_LIFETIME is 24 h unless set, and must be a whole number of seconds', () => {
    expect(loadConfig({}).auth.maxTokenLifetime).toBe(86_400);
    expect(loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '3600' }).auth.maxTokenLifetime).toBe(3600);
    expect(() => loadConfig({ AUTH_MAX_TOKEN_LIFETIME: '1 day' })).toThrow(/AUTH_MAX_TOKEN_LIFETIME must be an integer/);
  });
});
