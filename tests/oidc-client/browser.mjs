// A minimal browser for driving the portal's HTML forms from Node: a cookie jar, no automatic
// redirects, and just enough HTML reading to fill in the sign-in forms. Shared by the
// openid-client test and the benchmark.
import { Mailbox } from './mailbox.mjs';

export class Browser {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.cookies = new Map();
  }

  async fetch(url, init = {}) {
    const target = new URL(url, this.baseUrl);
    const headers = new Headers(init.headers ?? {});
    if (target.origin === new URL(this.baseUrl).origin && this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name); else this.cookies.set(name, value);
    }
    return response;
  }

  /** POSTs a form the way a browser would after reading its hidden fields. */
  async submit(pageUrl, html, fields) {
    const body = new URLSearchParams();
    for (const [name, value] of hiddenFields(formOf(html))) body.append(name, value);
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    return this.fetch(pageUrl, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /**
   * Signs in with the magic link, starting at a login page URL (as the authorization endpoint
   * redirects to it). The link is read from the mail as delivered into `mailFolder` (the SMTP
   * server's Maildir, or the portal's pickup folder); returns the response of the confirm POST.
   */
  async signIn(loginUrl, email, mailFolder) {
    const loginPage = await this.fetch(loginUrl);
    expectStatus(loginPage, 200, 'login page');
    const loginHtml = await loginPage.text();
    const mailbox = new Mailbox(mailFolder);
    const seen = new Set(mailbox.files());
    const sent = await this.submit(loginUrl, loginHtml, { 'Input.Email': email });
    expectStatus(sent, 200, 'sending the sign-in link');
    const [link] = await mailbox.waitFor(email, /\/(en|nb|et)\/login\/confirm\?token=[A-Za-z0-9_-]{43}/, seen);
    const confirmPage = await this.fetch(link);
    expectStatus(confirmPage, 200, 'confirm page');
    return this.submit(link, await confirmPage.text(), {});
  }

  /** Follows an authorization request through sign-in (when needed) to the redirect back to the store. */
  async authorize(authorizationUrl, email, mailFolder) {
    let response = await this.fetch(authorizationUrl);
    expectStatus(response, 302, 'authorization request');
    let location = response.headers.get('location');
    if (/\/(en|nb|et)\/login\?/.test(location)) {
      const confirmed = await this.signIn(location, email, mailFolder);
      expectStatus(confirmed, 302, 'confirming the sign-in');
      response = await this.fetch(confirmed.headers.get('location'));
      expectStatus(response, 302, 'returning to the authorization endpoint');
      location = response.headers.get('location');
    }
    return { location, loginLocation: response.url };
  }
}

export function expectStatus(response, status, what) {
  if (response.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${response.status} (${response.url})`);
}

function formOf(html) {
  // The page's own form is the one with class "stack"; the layout's sign-out form is another.
  const match = /<form[^>]*class="stack"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!match) throw new Error('No form on the page');
  return match[1];
}

function hiddenFields(formHtml) {
  const fields = [];
  for (const input of formHtml.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields.push([name, decodeEntities(value)]);
  }
  return fields;
}

function decodeEntities(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
