// The cold floor (see floor.ts): the warm floor plus the two KV reads of a cold redirect.
import { createFloorApp } from "./floor";

export default createFloorApp({ kvReads: true });
