// The pricing result carried by every priced session (msg.pricing, the ledger record).
import type { TariffDimension } from './model';

/** An amount as a decimal string in major units and as integer minor units. */
export interface Amounts {
  exclVat: string;
  inclVat: string;
  exclVatMinor: number;
  inclVatMinor: number;
}

/** One priced component: a dimension of one tariff element, shown rounded half-up on its own. */
export interface RevenueComponent {
  type: TariffDimension;
  /** Index into tariff.elements and into that element's price_components. */
  elementIndex: number;
  componentIndex: number;
  /** Price per unit excl. VAT as in the tariff: per kWh, per hour, or per session (FLAT). */
  price: string;
  /** VAT percentage, or null when the tariff gives none (incl. VAT then equals excl. VAT). */
  vatPercent: string | null;
  stepSize: number;
  /** Unit of `measured` and `billed`: Wh for ENERGY, s for TIME/PARKING_TIME, session for FLAT. */
  unit: 'Wh' | 's' | 'session';
  /** Volume measured in this component, decimal string (up to 3 decimals). */
  measured: string;
  /** Volume billed after step_size rounding (the round-up lands on the last component). */
  billed: string;
  exclVat: string;
  inclVat: string;
  exclVatMinor: number;
  inclVatMinor: number;
  /** True when the component prices the reservation before the session (fee, expiry fee, reservation time). */
  reservation?: true;
}

/** The sell side: components, their sum, and the total after min_price/max_price. */
export interface RevenueResult {
  components: RevenueComponent[];
  /**
   * Exact sum of the components, rounded half-up once, before min/max price. It may differ from
   * the sum of the rounded components by up to half a minor unit per component (spec totals).
   */
  subtotal: Amounts;
  total: Amounts;
  /** Which limit changed each total, if any. */
  limit: { exclVat: 'min' | 'max' | null; inclVat: 'min' | 'max' | null };
  /** Reservation cost (OCPI CDR total_reservation_cost), present when a reservation was priced. */
  reservation?: Amounts;
}

/** One buy-side cost component: energy bought at one rate. */
export interface CostComponent {
  source: 'fixed' | 'tou' | 'dynamic' | 'none';
  /** Band name for time-of-use. */
  name?: string;
  /** Rate per kWh excl. VAT in major units, exact decimal string. */
  pricePerKWh: string;
  energyWh: string;
  exclVat: string;
  exclVatMinor: number;
}

/** The buy side: what the energy cost the operator, excl. VAT. */
export interface CostResult {
  components: CostComponent[];
  total: { exclVat: string; exclVatMinor: number };
  /** True when dynamic prices were configured but stale or missing, so fallback rates were used. */
  dynamicFallback: boolean;
}

/** Full pricing of one session. */
export interface PricingResult {
  currency: string;
  tariffId: string;
  /** SHA-256 (hex) of the canonical JSON of the sell tariff used. */
  tariffHash: string;
  /** SHA-256 (hex) of the canonical JSON of the buy rates and dynamic prices used, if any. */
  costRatesHash?: string;
  timezone: string;
  totalEnergyWh: string;
  totalTimeS: number;
  totalChargingS: string;
  /** Billable parking: idle time minus held time, s. */
  totalParkingS: string;
  /** Time the station withheld power (admission, ramp, 0 A), s; idle but never billed as parking. */
  heldS: string;
  /** Reservation time before the session, s (present when a reservation was priced). */
  totalReservationS?: string;
  /** The tariff's min_price or max_price replaced the computed total (excl. or incl. VAT). */
  appliedLimit?: 'min_price' | 'max_price';
  /** The record is unattributed energy: priced at zero revenue, never billed to a driver. */
  unattributed?: true;
  /**
   * How the totals were rounded: 'exact-sum' = the exact sum of the components, rounded once.
   * Absent on records priced before this rule (they summed the rounded components).
   */
  roundingRule: 'exact-sum';
  revenue: RevenueResult;
  cost?: CostResult;
  /** revenue.total.exclVat − cost.total.exclVat, minor units and decimal string. */
  marginMinor?: number;
  margin?: string;
}
