// `npm run portal:link`: a fresh one-time sign-in link into the partner portal (15 minutes, one
// use) for the demo company's first partner, on the admin worker `npm start` runs.
import { runLocalTask } from "./local.mjs";

const ADMIN_PORT = Number(process.env.ADMIN_PORT ?? 8788);
try {
  const link = await runLocalTask("/portal-link", { origin: `http://localhost:${ADMIN_PORT}` });
  console.log(
    `Partner portal of ${link.companyName}: sign in as ${link.partnerName} (one use, until ${link.expiresAt})`,
  );
  console.log(`  ${link.url}`);
} catch (error) {
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
