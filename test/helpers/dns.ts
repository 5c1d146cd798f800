// A DNS for tests: TXT records set by the test, answered to link domain verification instead of
// DNS-over-HTTPS. Nothing is fetched.
import { DnsLookupError, type TxtResolver } from "../../src/link-domains/dns";

export class FakeDns {
  private readonly records = new Map<string, string[]>();
  /** Every name looked up, in order. */
  readonly lookups: string[] = [];
  /** When true, every lookup fails as an unreachable resolver does. */
  down = false;

  setTxt(name: string, values: string[]): void {
    this.records.set(name, values);
  }

  readonly resolveTxt: TxtResolver = async (name) => {
    this.lookups.push(name);
    if (this.down) throw new DnsLookupError("the DNS resolver answered HTTP 502");
    return this.records.get(name) ?? [];
  };
}
