import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** The page's hand-written files, and where `tsconfig.page.json` compiles its TypeScript to. */
export const pageSourceDir = join(packageRoot, 'src', 'kiosk', 'page');
export const pageBuildDir = join(packageRoot, 'dist', 'page');

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/**
 * Nothing but the page's own code runs in the kiosk's browser: no inline script, no other origin. QR codes
 * come as `data:` images; live state comes from the same origin.
 */
const securityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Where a request path's file is, or undefined for a path the page does not have. Never leaves the two folders. */
export function staticFile(path: string, withSimPanel: boolean): string | undefined {
  if (path === '/' || path === '/index.html') return join(pageSourceDir, 'index.html');
  if (path === '/style.css') return join(pageSourceDir, 'style.css');
  if (withSimPanel && (path === '/sim' || path === '/sim.html')) return join(pageSourceDir, 'sim.html');
  const m = /^\/app\/([a-z][a-z0-9-]*\.js)$/.exec(path);
  return m === null ? undefined : join(pageBuildDir, m[1]!);
}

export async function sendStatic(res: ServerResponse, file: string): Promise<boolean> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return false;
  }
  const ext = file.slice(file.lastIndexOf('.') + 1);
  res.writeHead(200, { 'content-type': types[ext] ?? 'application/octet-stream', 'content-length': body.length, ...securityHeaders });
  res.end(body);
  return true;
}
