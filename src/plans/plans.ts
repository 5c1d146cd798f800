// What each plan allows. Documented in the README ("Plans"); change both together.
import { PLANS, type Plan } from "../db/schema";
import { ApiError } from "../lib/errors";
import { PROBLEMS, type Problem } from "../lib/problems";

export interface PlanLimits {
  /** Live (not archived) groups; null = unlimited. */
  maxGroups: number | null;
  leadSubmission: boolean;
  dealRegistration: boolean;
  applicationForms: boolean;
}

export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  starter: { maxGroups: 1, leadSubmission: false, dealRegistration: false, applicationForms: false },
  growth: { maxGroups: 10, leadSubmission: true, dealRegistration: false, applicationForms: true },
  enterprise: { maxGroups: null, leadSubmission: true, dealRegistration: true, applicationForms: true },
};

export type GatedFeature = "leadSubmission" | "dealRegistration" | "applicationForms";

const FEATURE_NAMES: Record<GatedFeature, string> = {
  leadSubmission: "lead submission",
  dealRegistration: "deal registration",
  applicationForms: "application forms",
};
const FEATURE_PROBLEMS: Record<GatedFeature, Problem> = {
  leadSubmission: PROBLEMS.planFeatureLeadSubmission,
  dealRegistration: PROBLEMS.planFeatureDealRegistration,
  applicationForms: PROBLEMS.planFeatureApplicationForms,
};

export function assertFeature(plan: Plan, feature: GatedFeature): void {
  if (!PLAN_LIMITS[plan][feature]) {
    throw new ApiError(FEATURE_PROBLEMS[feature], `The ${plan} plan does not include ${FEATURE_NAMES[feature]}.`);
  }
}

export function groupLimitReached(plan: Plan): ApiError {
  const max = PLAN_LIMITS[plan].maxGroups;
  return new ApiError(
    PROBLEMS.planLimitGroups,
    `The ${plan} plan allows ${max} live group${max === 1 ? "" : "s"}; archive one or upgrade.`,
  );
}

/** The plans that include `feature`, in the order of PLANS (cheapest first): to say which plan has it. */
export function plansWith(feature: GatedFeature): Plan[] {
  return PLANS.filter((plan) => PLAN_LIMITS[plan][feature]);
}

/** The API's refusal to turn `feature` on with this plan (its problem and words), or null when the plan has it. */
export function featureRefusal(plan: Plan, feature: GatedFeature): ApiError | null {
  try {
    assertFeature(plan, feature);
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}
