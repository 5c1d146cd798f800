import { createRouter } from "../admin/context";
import * as handlers from "./partner-api.handlers";
import * as routes from "./partner-api.routes";

export const partnerApiRouter = createRouter()
  .openapi(routes.getForm, handlers.getForm)
  .openapi(routes.submitLead, handlers.submit)
  .openapi(routes.listLeads, handlers.leads)
  .openapi(routes.getLead, handlers.lead)
  .openapi(routes.registerDeal, handlers.register)
  .openapi(routes.listDeals, handlers.deals)
  .openapi(routes.getDeal, handlers.deal)
  .openapi(routes.updateDeal, handlers.update)
  .openapi(routes.moveDeal, handlers.move);
