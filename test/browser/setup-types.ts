// What the global setup hands to each browser test file (through vitest's provide/inject).
export const BUNDLE_DIR = ".wrangler/tmp/browser-tests";

export interface WorkerBindings {
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: Record<string, string>;
  d1Databases: Record<string, { id: string }>;
  kvNamespaces: Record<string, { id: string }>;
  queueProducers: Record<string, { queueName: string }>;
  queueConsumers: Record<string, Record<string, unknown>>;
  ratelimits: Record<string, { simple: { limit: number; period: number } }>;
}

export interface ChromiumSetup {
  executablePath: string;
  args: string[];
  /** Where it came from: CHROMIUM_PATH, @sparticuz/chromium or /usr/bin/chromium. */
  source: string;
  /** The browser server the global setup started: test files connect to it. */
  wsEndpoint: string;
}

export interface BrowserSetup {
  edge: WorkerBindings;
  admin: WorkerBindings;
  chromium: ChromiumSetup;
}

declare module "vitest" {
  export interface ProvidedContext {
    browserSetup: BrowserSetup;
  }
}
