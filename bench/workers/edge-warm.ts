// The real edge app; only the CLICKS queue is replaced by an in-memory sink, so the measurement is
// the handler itself (lookup, URL, cookie, click event built and handed over), not the local
// queue emulation.

import type { ClickEvent } from "../../src/clicks/event";
import { createEdgeApp } from "../../src/redirect/app";

let sunk = 0;
const app = createEdgeApp({ clickSink: () => ({ send: async (_event: ClickEvent) => void sunk++ }) });

export default app;
