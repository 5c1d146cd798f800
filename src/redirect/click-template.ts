// A redirect's Location and Set-Cookie around the click id. They are the same for every click on
// one route without a query string of its own (most clicks), so they are built once per record:
// remembered by the slug record's identity and checked against the link, company and site records
// the isolate cache holds. Records refreshed from storage are new objects: the parts are rebuilt.
import { trackingCookieParts } from "./cookie";
import { type DestinationParts, destinationParts } from "./destination";
import type { CompanyRecord, LinkRecord, SiteRecord, SlugRecord } from "./records";

/** `location = location.head + click id + location.tail`, and likewise `cookie`. */
export interface ClickTemplate {
  location: DestinationParts;
  cookie: { head: string; tail: string };
}

interface Remembered {
  link: LinkRecord;
  company: CompanyRecord;
  cookieDomain: string | null;
  secure: boolean;
  template: ClickTemplate;
}

const bySlug = new WeakMap<SlugRecord, Remembered>();

/**
 * The template of a click on `partnerLink` leading to `link`. Its location is for a visitor without
 * a query string (with one, the destination is built in full: see buildDestination); its cookie is
 * for every click.
 */
export function clickTemplate(site: SiteRecord, partnerLink: SlugRecord, link: LinkRecord, secure: boolean) {
  const company = site.company;
  const remembered = bySlug.get(partnerLink);
  if (
    remembered?.link === link &&
    remembered.company === company &&
    remembered.cookieDomain === site.cookieDomain &&
    remembered.secure === secure
  ) {
    return remembered.template;
  }
  const template = buildTemplate(site, partnerLink, link, secure);
  bySlug.set(partnerLink, { link, company, cookieDomain: site.cookieDomain, secure, template });
  return template;
}

function buildTemplate(site: SiteRecord, partnerLink: SlugRecord, link: LinkRecord, secure: boolean): ClickTemplate {
  const { company } = site;
  return {
    location: destinationParts({
      destinationUrl: link.destinationUrl,
      utmParams: link.utmParams,
      lockUtms: link.lockUtms,
      partnerKey: partnerLink.partnerKey,
      incomingSearch: "",
      tracking: { clickIdParam: company.clickIdParam, partnerKeyParam: company.partnerKeyParam },
    }),
    cookie: trackingCookieParts({
      partnerKey: partnerLink.partnerKey,
      maxAgeSeconds: company.attributionWindowDays * 86_400,
      domain: site.cookieDomain,
      secure,
    }),
  };
}
