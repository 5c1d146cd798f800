// The warm floor (see floor.ts).
import { createFloorApp } from "./floor";

export default createFloorApp({ kvReads: false });
