// Where other modules learn that a lead or deal entered a stage. Called after the move is committed,
// once per move. Offers (issue 10) connect here: "a reward when a lead enters Qualified", once per
// entry and stage — `stageEventKey` is the key to make that exactly once (a lead moved back and
// forth enters a stage more than once, with the same key).
import type { StorageEnv as Stores } from "../env";
import type { PipelineKind } from "../lib/constants";
import type { PipelineEntry, Stage } from "./service";

export interface StageEntered {
  kind: PipelineKind;
  entry: PipelineEntry;
  stage: Stage;
  /** The stage_moves row of this move. */
  moveId: string;
}

/** The source event key of "this lead or deal entered this stage": one per entry and stage. */
export function stageEventKey(event: Pick<StageEntered, "kind" | "entry" | "stage">): string {
  return `${event.kind}:${event.entry.id}:stage:${event.stage.id}`;
}

/** A lead or deal entered a stage (its first one on submission). Not connected to offers yet. */
export async function onStageEntered(_env: Stores, _event: StageEntered): Promise<void> {}
