// Signs Kari in at the portal with openid-client (code + PKCE, magic link from the mail in the pickup folder)
// and prints the access token, for the userinfo benchmark.
// Usage: node user-token.mjs ISSUER MAIL_FOLDER
import * as client from 'openid-client';
import { Browser } from '../../tests/oidc-client/browser.mjs';

const [issuer, mailFolder] = process.argv.slice(2);
const redirectUri = 'http://localhost:5101/signin-oidc';
const config = await client.discovery(new URL(issuer), 'innore-eu', 'dev-secret-innore-eu-change-me', undefined, { execute: [client.allowInsecureRequests] });
const verifier = client.randomPKCECodeVerifier();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid email profile',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state: 'bench',
});
const { location } = await new Browser(issuer).authorize(url.href, 'kari.nordmann@example.no', mailFolder);
const tokens = await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: 'bench' });
console.log(tokens.access_token);
