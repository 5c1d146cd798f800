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
