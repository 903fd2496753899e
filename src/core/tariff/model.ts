// The OCPI 2.2.1 Tariff model (sell side) and the operator's buy rates, as plain JSON types.

/** A tariff dimension priced by a PriceComponent. */
export type TariffDimension = 'ENERGY' | 'FLAT' | 'PARKING_TIME' | 'TIME';

/** OCPI DayOfWeek. */
export type DayOfWeek = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

/** Days in ISO order; index 0 = Monday. */
export const DAYS: readonly DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** OCPI Price: amounts in major units, excl. and (optionally) incl. VAT. */
export interface OcpiPrice {
  excl_vat: number;
  incl_vat?: number;
}

/** OCPI PriceComponent: price per unit excl. VAT (kWh, hour, or per session for FLAT). */
export interface PriceComponent {
  type: TariffDimension;
  price: number;
  /** VAT percentage; absent = no VAT applicable. */
  vat?: number;
  /** Billing block: Wh for ENERGY, seconds for TIME/PARKING_TIME, ignored for FLAT. */
  step_size: number;
}

/** OCPI TariffRestrictions; all present fields must match (logical AND). */
export interface TariffRestrictions {
  start_time?: string;
  end_time?: string;
  start_date?: string;
  end_date?: string;
  min_kwh?: number;
  max_kwh?: number;
  min_current?: number;
  max_current?: number;
  min_power?: number;
  max_power?: number;
  min_duration?: number;
  max_duration?: number;
  day_of_week?: DayOfWeek[];
  reservation?: 'RESERVATION' | 'RESERVATION_EXPIRES';
}

/** OCPI TariffElement. */
export interface TariffElement {
  price_components: PriceComponent[];
  restrictions?: TariffRestrictions;
}

/** OCPI 2.2.1 Tariff object (fields this engine reads; others are kept and hashed). */
export interface Tariff {
  country_code?: string;
  party_id?: string;
  id: string;
  currency: string;
  type?: string;
  min_price?: OcpiPrice;
  max_price?: OcpiPrice;
  elements: TariffElement[];
  start_date_time?: string;
  end_date_time?: string;
  last_updated?: string;
  [extra: string]: unknown;
}

/** A time-of-use band of the buy rates; the first matching band applies. */
export interface TouBand {
  name?: string;
  /** Season as local month-day range, from inclusive, to exclusive; wraps over new year. */
  season?: { from: string; to: string };
  days?: DayOfWeek[];
  /** Local time of day, "HH:MM"; end exclusive, "00:00" = end of day, end < start wraps. */
  startTime?: string;
  endTime?: string;
  /** Price per kWh excl. VAT in major units, e.g. "0.21". */
  pricePerKWh: string | number;
}

/** The operator's electricity cost rates (buy side). */
export interface BuyRates {
  currency: string;
  /** Fallback rate per kWh excl. VAT in major units. */
  fixedPricePerKWh?: string | number;
  timeOfUse?: TouBand[];
  /** Dynamic (e.g. hourly day-ahead) prices fed at run time; older than staleAfterS → fallback. */
  dynamic?: { staleAfterS: number };
}

/** The `config/tariffs` payload: sell tariff, buy rates and the site's time zone, versioned. */
export interface TariffConfig {
  /** Monotonic config version from the backend; older versions are ignored. */
  version: number;
  /** IANA time zone in which restriction times are read; default UTC. */
  timezone?: string;
  sell: Tariff;
  buy?: BuyRates;
}

/** One dynamic price: [start, end) at priceMinorPerKWh (minor units per kWh, may be fractional). */
export interface DynamicPriceEntry {
  start: string;
  end: string;
  priceMinorPerKWh: number | string;
}

/** The dynamic price feed as held at run time. */
export interface DynamicPrices {
  /** Wall-clock ms when the feed was last received. */
  receivedAtMs: number;
  entries: DynamicPriceEntry[];
}
