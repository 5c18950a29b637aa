/**
 * The headless Chromium that drives the portal (tests/portal.e2e.test.ts, portal/screenshot.ts),
 * found with nothing installed by hand and nothing downloaded at run time. In order:
 *
 * 1. CHROMIUM_PATH, when set;
 * 2. the system's /usr/bin/chromium (Debian's `chromium`), when present, unless
 *    CHROMIUM_SOURCE=package;
 * 3. the build inside the npm package @sparticuz/chromium (a devDependency: the binary is in the
 *    tarball `npm ci` fetches), Linux x64 only. It brings its own NSS, NSPR and expat, the
 *    libraries a bare Debian lacks, and a font (Open Sans), so it needs nothing from apt.
 *
 * The packaged build is unpacked here rather than through the package's executablePath(), which
 * reuses whatever is at <tmpdir>/chromium: a file another process is still writing (it failed
 * with ETXTBSY when two processes started at once) or another version's binary. Here each
 * package version gets its own directory, under node_modules/.cache (this checkout's, not the
 * world-writable temp dir), made complete under a temporary name and renamed into place, so
 * parallel processes and interrupted runs never see half a browser. Unpacking takes about 1.4 s
 * on an idle machine (6 s at load 20 on two cores), once per `npm ci`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

interface FoundChromium {
  executablePath: string;
  /** The environment to launch it with; undefined: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Where it came from, for error messages: "CHROMIUM_PATH", "system" or "@sparticuz/chromium <version>". */
  source: string;
}

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium waits on the network, which a test machine may not have. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium, started; a failure to start names the binary and where it came from. */
export async function launchChromium(): Promise<Browser> {
  const found = findChromium();
  try {
    return await chromium.launch({ executablePath: found.executablePath, env: found.env, args: ARGS });
  } catch (error) {
    throw new Error(`Chromium from ${found.source} (${found.executablePath}) did not start: ${(error as Error).message}`);
  }
}

/** The Chromium to launch, unpacking the packaged one on first use (see the top of this file). */
function findChromium(): FoundChromium {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH must name a Chromium executable; received "${fromEnv}", which does not exist`);
    return { executablePath: fromEnv, source: 'CHROMIUM_PATH' };
  }
  if (existsSync(SYSTEM_CHROMIUM) && process.env.CHROMIUM_SOURCE !== 'package') return { executablePath: SYSTEM_CHROMIUM, source: 'system' };
  return packagedChromium();
}

function packagedChromium(): FoundChromium {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `@sparticuz/chromium ships Chromium for Linux x64; this is ${process.platform} ${process.arch}: ` +
        `install Chromium at ${SYSTEM_CHROMIUM} or set CHROMIUM_PATH`,
    );
  }
  // Resolved, never imported: only its files are used (its code is ESM-only and declares Node >= 22).
  const pkgDir = join(dirname(require.resolve('@sparticuz/chromium')), '..');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const home = join(pkgDir, '..', '..', '.cache', `sparticuz-chromium-${version}`);
  const complete = join(home, '.complete');

  if (!existsSync(complete)) {
    // A process killed mid-way leaves its .partial directory behind; the next `npm ci` removes it.
    const partial = `${home}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const unbrotli = (name: string) => brotliDecompressSync(readFileSync(join(pkgDir, 'bin', name)));
    writeFileSync(join(partial, 'chromium'), unbrotli('chromium.br'), { mode: 0o755 });
    // lib/ (libnss3, libnspr4, libexpat...); libEGL, libGLESv2 and SwiftShader beside the binary; fonts/Open_Sans/.
    for (const tarball of ['al2023.tar.br', 'swiftshader.tar.br', 'fonts.tar.br']) {
      execFileSync('tar', ['-x', '-C', partial], { input: unbrotli(tarball) });
    }
    // Ours, not the tarball's (made for AWS Lambda's /var/task, /opt and /tmp): the packaged font, then the system's if any.
    writeFileSync(
      join(partial, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <dir>${join(home, 'fonts')}</dir>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
        `  <cachedir>${join(home, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    writeFileSync(join(partial, '.complete'), version);
    try {
      renameSync(partial, home);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      // Another process renamed its copy into place first: use that one.
      if (!existsSync(complete)) {
        throw new Error(
          `expected ${home} to be a complete unpacked Chromium (with .complete) or absent; remove it and retry (${(error as Error).message})`,
        );
      }
    }
  }

  const libs = join(home, 'lib');
  return {
    executablePath: join(home, 'chromium'),
    env: {
      ...process.env,
      LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH ? `${libs}:${process.env.LD_LIBRARY_PATH}` : libs,
      FONTCONFIG_FILE: join(home, 'fonts.conf'),
    },
    source: `@sparticuz/chromium ${version}`,
  };
}
