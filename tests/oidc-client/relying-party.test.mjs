// The provider as seen by openid-client, a certified relying party we did not write. Run by
// OpenIdClientTests (xunit) against the app on a real socket; every check failing throws.
// Env: PORTAL_ISSUER, PORTAL_MAILDIR (where the SMTP server delivers), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_URI, EMAIL.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { Browser, expectStatus } from './browser.mjs';

const env = (name) => process.env[name] ?? assert.fail(`${name} is not set`);
const issuer = env('PORTAL_ISSUER');
const mailFolder = env('PORTAL_MAILDIR');
const clientId = env('CLIENT_ID');
const secret = env('CLIENT_SECRET');
const redirectUri = env('REDIRECT_URI');
const postLogoutUri = env('POST_LOGOUT_URI');
const email = env('EMAIL');
const insecure = { execute: [client.allowInsecureRequests] }; // the test app listens on http://127.0.0.1

let passed = 0;
let failed = 0;
async function step(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n  ${String(error?.stack ?? error).replace(/\n/g, '\n  ')}`);
    throw error;
  }
}

const browser = new Browser(issuer);
let config;
let basicConfig;
let first;
let firstClaims;

async function signIn({ maxAge, extra = {} } = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const parameters = {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access privacy',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  };
  if (maxAge !== undefined) parameters.max_age = String(maxAge);
  const { location } = await browser.authorize(client.buildAuthorizationUrl(config, parameters).href, email, mailFolder);
  assert.ok(location.startsWith(redirectUri), `redirected to ${location}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    maxAge,
    idTokenExpected: true,
  });
  return { tokens, location };
}

try {
  await step('discovery', async () => {
    config = await client.discovery(new URL(issuer), clientId, secret, client.ClientSecretPost(secret), insecure);
    basicConfig = await client.discovery(new URL(issuer), clientId, secret, client.ClientSecretBasic(secret), insecure);
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, issuer);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
  });

  await step('code flow with PKCE, ui_locales and login_hint; ID token with nonce, max_age, amr, single audience', async () => {
    const { tokens, location } = await signIn({ maxAge: 600, extra: { ui_locales: 'nb', login_hint: email } });
    assert.equal(new URL(location).searchParams.get('iss'), issuer);
    first = tokens;
    firstClaims = tokens.claims();
    assert.equal(firstClaims.iss, issuer);
    assert.equal(firstClaims.aud, clientId);
    // Signed in by following the link in the mail (a typed-in code would be 'otp').
    assert.deepEqual(firstClaims.amr, ['magic_link']);
    assert.equal(typeof firstClaims.auth_time, 'number');
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url'));
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid);
  });

  await step('userinfo (GET and POST) with the privacy claim', async () => {
    const info = await client.fetchUserInfo(config, first.access_token, firstClaims.sub);
    assert.equal(info.email, email);
    assert.equal(info.email_verified, true);
    assert.ok(info.privacy.policy_revision);
    const posted = await fetch(config.serverMetadata().userinfo_endpoint, { method: 'POST', body: new URLSearchParams({ access_token: first.access_token }) });
    expectStatus(posted, 200, 'userinfo POST');
  });

  await step('introspection of access and refresh tokens (basic and post client authentication)', async () => {
    const access = await client.tokenIntrospection(config, first.access_token);
    assert.equal(access.active, true);
    assert.equal(access.sub, firstClaims.sub);
    assert.equal(access.client_id, clientId);
    const refresh = await client.tokenIntrospection(basicConfig, first.refresh_token);
    assert.equal(refresh.active, true);
    assert.equal(refresh.token_type, 'refresh_token');
  });

  await step('refresh rotates, and reusing a refresh token revokes the family', async () => {
    const refreshed = await client.refreshTokenGrant(config, first.refresh_token);
    assert.notEqual(refreshed.refresh_token, first.refresh_token);
    assert.equal(refreshed.claims().sub, firstClaims.sub);
    await assert.rejects(client.refreshTokenGrant(config, first.refresh_token), (e) => e.error === 'invalid_grant');
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');
    await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, firstClaims.sub));
  });

  await step('max_age=0 asks for a fresh sign-in and auth_time shows it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { tokens } = await signIn({ maxAge: 0 });
    assert.ok(tokens.claims().auth_time > firstClaims.auth_time, 'auth_time moved on');
    first = tokens;
    firstClaims = tokens.claims();
  });

  await step('revocation of an access token', async () => {
    await client.tokenRevocation(basicConfig, first.access_token);
    const after = await client.tokenIntrospection(config, first.access_token);
    assert.equal(after.active, false);
    await assert.rejects(client.fetchUserInfo(config, first.access_token, firstClaims.sub));
  });

  await step('client credentials and the store API', async () => {
    const tokens = await client.clientCredentialsGrant(basicConfig, { scope: 'store.tasks' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const response = await client.fetchProtectedResource(config, tokens.access_token, new URL('/api/v1/tasks', issuer), 'GET');
    expectStatus(response, 200, 'store API');
    assert.deepEqual((await response.json()).items, []);
  });

  await step('end session with id_token_hint redirects to the registered URI with state and signs out', async () => {
    const state = client.randomState();
    const url = client.buildEndSessionUrl(config, { id_token_hint: first.id_token, post_logout_redirect_uri: postLogoutUri, state });
    const response = await browser.fetch(url.href);
    expectStatus(response, 302, 'end session');
    const location = new URL(response.headers.get('location'));
    assert.equal(location.origin + location.pathname, postLogoutUri);
    assert.equal(location.searchParams.get('state'), state);

    const verifier = client.randomPKCECodeVerifier();
    const silent = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', prompt: 'none', state: 's',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const answer = await browser.fetch(silent.href);
    expectStatus(answer, 302, 'prompt=none after sign-out');
    await assert.rejects(
      client.authorizationCodeGrant(config, new URL(answer.headers.get('location')), { pkceCodeVerifier: verifier, expectedState: 's' }),
      (e) => e.error === 'login_required');
  });

  await step('an unregistered post_logout_redirect_uri is refused', async () => {
    const url = client.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutUri + '/evil' });
    const response = await browser.fetch(url.href);
    expectStatus(response, 302, 'end session');
    assert.match(response.headers.get('location'), /\/oidc\/error\?error=invalid_post_logout_redirect_uri$/);
  });
} catch {
  // Reported by step(); the summary below fails the run.
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
