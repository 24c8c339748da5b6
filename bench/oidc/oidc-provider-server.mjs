// node oidc-provider 9 configured like the portal's provider: the same client, PKCE required,
// client_credentials issuing ES256 JWT access tokens (resource indicators), RS256 ID tokens,
// in-memory adapter. Prints a user access token for the userinfo benchmark, then serves.
// Usage: node oidc-provider-server.mjs PORT
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 5300);
const issuer = `http://127.0.0.1:${port}`;
const apiScopes = 'store.records.write store.marketing.read store.tasks store.cookie-consent.read';
const jwk = (type, options, alg) => ({ ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }), alg, use: 'sig' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'innore-eu',
    client_secret: 'dev-secret-innore-eu-change-me',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: ['http://localhost:5101/signin-oidc'],
    post_logout_redirect_uris: ['http://localhost:5101/signout-callback-oidc'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: `openid profile email offline_access ${apiScopes}`,
  }],
  jwks: { keys: [jwk('rsa', { modulusLength: 2048 }, 'RS256'), jwk('ec', { namedCurve: 'P-256' }, 'ES256')] },
  scopes: ['openid', 'profile', 'email', 'offline_access', ...apiScopes.split(' ')],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'locale'] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => `${issuer}/api`,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: apiScopes,
        audience: `${issuer}/api`,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: 'kari.nordmann@example.no', email_verified: true, name: 'Kari Nordmann', locale: 'nb' }),
  }),
});

// A signed-in person's access token for userinfo (opaque: oidc-provider's userinfo takes no resource-bound JWT).
const client = await provider.Client.find('innore-eu');
const grant = new provider.Grant({ accountId: 'kari', clientId: client.clientId });
grant.addOIDCScope('openid email profile');
const grantId = await grant.save();
const accessToken = await new provider.AccessToken({ accountId: 'kari', client, grantId, scope: 'openid email profile', gty: 'authorization_code' }).save();

provider.listen(port, '127.0.0.1', () => {
  console.log(`USER_ACCESS_TOKEN=${accessToken}`);
  console.log(`oidc-provider listening on ${issuer}`);
});
