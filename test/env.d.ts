// Types of `env` from "cloudflare:workers" in tests: the workers' bindings plus the test-only ones.
type AppEnv = import("../src/env").Env & import("../src/env").AdminEnv;

declare namespace Cloudflare {
  interface Env extends AppEnv {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    SEED_DB: D1Database;
    SEED_KV: KVNamespace;
    SMALL_TEST_LIMITER: RateLimit;
  }
}

declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../workers/edge");
  }
}

// Vite's `?raw` imports: a file's text (the README, for tests that compare it with the code).
declare module "*?raw" {
  const text: string;
  export default text;
}
