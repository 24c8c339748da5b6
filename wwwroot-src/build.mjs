// Copies the front-end sources and the pinned htmx build into the web app's wwwroot.
// Plain copies on purpose: a few hand-written files need no bundler.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wwwroot = join(here, '..', 'src', 'PrivacyPortal', 'wwwroot');

function copyFolder(name, extension) {
  const target = join(wwwroot, name);
  // Start clean so a source file that was deleted or renamed does not live on in wwwroot.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(join(here, name)).filter((f) => f.endsWith(extension))) {
    cpSync(join(here, name, file), join(target, file));
  }
}

copyFolder('css', '.css');
copyFolder('js', '.js');
copyFolder('img', '.svg');

const htmxTarget = join(wwwroot, 'lib', 'htmx');
rmSync(htmxTarget, { recursive: true, force: true });
mkdirSync(htmxTarget, { recursive: true });
cpSync(join(here, 'node_modules', 'htmx.org', 'dist', 'htmx.min.js'), join(htmxTarget, 'htmx.min.js'));
cpSync(join(here, 'node_modules', 'htmx.org', 'LICENSE'), join(htmxTarget, 'LICENSE'));
console.log(`front-end built into ${wwwroot}`);
