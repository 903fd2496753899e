// A pure model of an electric vehicle on an AC connector, for the site simulator and the
// load-limiting simulation tests: it follows the charger's PWM current offer after a delay,
// within its own limits, and tapers near full. No timers: every call takes the time.

/** The car's electrical and battery characteristics. */
export interface EvSpec {
  id?: string;
  /** Phases the on-board charger uses. */
  phases: 1 | 3;
  /** Which phase a 1-phase car loads (default 1). */
  phase?: 1 | 2 | 3;
  /** The on-board charger's maximum current per phase, A. */
  maxCurrentA: number;
  /** Below this offer the car pauses (IEC 61851: 6 A), A. Default 6. */
  minCurrentA?: number;
  /** Usable battery capacity, Wh. */
  batteryWh: number;
  /** State of charge at plug-in, percent. */
  socStartPct: number;
  /** The car stops drawing at this state of charge, percent. Default 100. */
  targetSocPct?: number;
  /** Delay before the car follows a new offer, ms. */
  rampDelayMs: number;
  /** 0..1: the car takes this fraction of what it may (a cold battery, a slow on-board charger). Default 1. */
  drawFactor?: number;
  /** Above this state of charge the current tapers linearly towards the minimum, percent. Default 90. */
  taperStartPct?: number;
}

/** One offer as the charger signalled it. */
interface Offer {
  currentA: number;
  atMs: number;
}

/** Nominal phase voltage used when the caller does not give one, V. */
export const NOMINAL_VOLTAGE_V = 230;

/** The EV: feed it offers and energy, ask it what it draws. */
export class EvModel {
  /** The spec with defaults applied. */
  readonly spec: Required<Omit<EvSpec, 'id'>> & { id: string };
  /** Delivered energy in integer milli-Wh, so many small steps never accumulate float error. */
  private deliveredMilliWh = 0;
  private offers: Offer[] = [];

  constructor(spec: EvSpec) {
    if (!(spec.maxCurrentA > 0)) throw new RangeError('maxCurrentA must be > 0');
    if (!(spec.batteryWh > 0)) throw new RangeError('batteryWh must be > 0');
    if (!(spec.rampDelayMs >= 0)) throw new RangeError('rampDelayMs must be >= 0');
    const drawFactor = spec.drawFactor ?? 1;
    if (!(drawFactor >= 0 && drawFactor <= 1)) throw new RangeError('drawFactor must be within 0..1');
    this.spec = {
      id: spec.id ?? 'EV',
      phases: spec.phases,
      phase: spec.phase ?? 1,
      maxCurrentA: spec.maxCurrentA,
      minCurrentA: spec.minCurrentA ?? 6,
      batteryWh: spec.batteryWh,
      socStartPct: spec.socStartPct,
      targetSocPct: spec.targetSocPct ?? 100,
      rampDelayMs: spec.rampDelayMs,
      drawFactor,
      taperStartPct: spec.taperStartPct ?? 90,
    };
  }

  /** The charger offers this current per phase (IEC 61851 PWM) from nowMs; 0 pauses. */
  offer(currentA: number, nowMs: number): void {
    if (!Number.isFinite(currentA) || currentA < 0) throw new RangeError(`invalid offer ${currentA}`);
    // Offers arrive in time order; a re-offer at an earlier time replaces the later ones.
    this.offers = this.offers.filter((o) => o.atMs < nowMs);
    this.offers.push({ currentA, atMs: nowMs });
  }

  /** The offer the car is following at nowMs (0 before it has followed any), A. */
  followedOfferA(nowMs: number): number {
    let followed = 0;
    let keepFrom = 0;
    for (let i = 0; i < this.offers.length; i++) {
      if (this.offers[i].atMs + this.spec.rampDelayMs <= nowMs) {
        followed = this.offers[i].currentA;
        keepFrom = i;
      }
    }
    // Older offers can never be followed again once a later one is in effect.
    if (keepFrom > 0) this.offers = this.offers.slice(keepFrom);
    return followed;
  }

  /** The most recent offer, whether or not the car follows it yet, A. */
  get lastOfferA(): number {
    return this.offers.length ? this.offers[this.offers.length - 1].currentA : 0;
  }

  /** Current drawn per phase [L1, L2, L3] in A at nowMs: follows the offer after rampDelayMs, capped at maxCurrentA, 0 below minCurrentA or when full; tapers near full. */
  draw(nowMs: number): [number, number, number] {
    const offerA = this.followedOfferA(nowMs);
    const s = this.spec;
    if (this.full || offerA < s.minCurrentA) return [0, 0, 0];
    let limitA = Math.min(offerA, s.maxCurrentA);
    const soc = this.socPct;
    if (soc > s.taperStartPct && s.targetSocPct > s.taperStartPct) {
      const left = (s.targetSocPct - soc) / (s.targetSocPct - s.taperStartPct);
      limitA = Math.min(limitA, Math.max(s.minCurrentA, s.maxCurrentA * left));
    }
    // Centiamps, as a meter would report them.
    const a = Math.round(limitA * s.drawFactor * 100) / 100;
    if (s.phases === 3) return [a, a, a];
    const out: [number, number, number] = [0, 0, 0];
    out[s.phase - 1] = a;
    return out;
  }

  /** Account energy delivered, Wh (may be fractional). */
  charge(energyWh: number): void {
    if (!Number.isFinite(energyWh) || energyWh < 0) throw new RangeError(`invalid energy ${energyWh}`);
    this.deliveredMilliWh += Math.round(energyWh * 1000);
  }

  /** Draw over [nowMs, nowMs + dtMs) at the draw of nowMs, charge the battery with it and return the energy, Wh. */
  step(nowMs: number, dtMs: number, voltageV = NOMINAL_VOLTAGE_V): number {
    const [l1, l2, l3] = this.draw(nowMs);
    const energyWh = ((l1 + l2 + l3) * voltageV * dtMs) / 3_600_000;
    this.charge(energyWh);
    return energyWh;
  }

  /** Energy delivered since plug-in, Wh. */
  get deliveredWh(): number {
    return this.deliveredMilliWh / 1000;
  }

  /** True once the target SoC is reached. */
  get full(): boolean {
    return this.socPct >= this.spec.targetSocPct;
  }

  /** State of charge, percent. */
  get socPct(): number {
    return Math.min(100, this.spec.socStartPct + (this.deliveredMilliWh / 1000 / this.spec.batteryWh) * 100);
  }
}
