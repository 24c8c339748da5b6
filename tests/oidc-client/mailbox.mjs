// Reads the mails the portal sent from a folder of RFC 5322 messages: the Maildir an SMTP server
// (aiosmtpd) delivers into (files in new/ and cur/), or the portal's own pickup folder (*.eml).
// Just enough MIME to find a mail's recipients and its text/plain body.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export class Mailbox {
  constructor(folder) {
    this.folder = folder;
  }

  /** The names of every mail file now in the folder. */
  files() {
    const files = [];
    for (const sub of ['new', 'cur']) {
      const dir = join(this.folder, sub);
      if (existsSync(dir)) for (const name of readdirSync(dir)) files.push(join(dir, name));
    }
    if (existsSync(this.folder)) {
      for (const name of readdirSync(this.folder)) if (name.endsWith('.eml')) files.push(join(this.folder, name));
    }
    return files;
  }

  /**
   * Waits for a mail to `to` that is not among `seen` (a set of file names from files()) and whose
   * text part matches `pattern`; returns the first match of the pattern in the decoded text.
   */
  async waitFor(to, pattern, seen, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const file of this.files()) {
        if (seen.has(file)) continue;
        const mail = parseMail(readFileSync(file, 'latin1'));
        if (!mail.to.toLowerCase().includes(to.toLowerCase())) continue;
        const match = pattern.exec(mail.text);
        if (match) return match;
      }
      if (Date.now() > deadline) throw new Error(`No mail to ${to} matching ${pattern} in ${this.folder} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Splits a raw message (read as latin1, so bytes survive) into headers and the decoded text/plain body. */
export function parseMail(raw) {
  const { headers, body } = splitEntity(raw);
  return { to: headers.get('to') ?? '', text: textOf(headers, body) };
}

function splitEntity(raw) {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const body = end < 0 ? '' : normalized.slice(end + 2);
  const headers = new Map();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function textOf(headers, body) {
  const type = headers.get('content-type') ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) return '';
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const entity = splitEntity(part.replace(/^\n/, ''));
      const text = textOf(entity.headers, entity.body);
      if (text) return text;
    }
    return '';
  }
  if (!/^text\/plain/i.test(type)) return '';
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes = encoding === 'base64'
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
    : encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : Buffer.from(body, 'latin1');
  return bytes.toString('utf8');
}

function decodeQuotedPrintable(text) {
  const soft = text.replace(/=\n/g, '');
  const bytes = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(soft.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}
