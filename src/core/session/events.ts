// Charger events for the session core. The event is defined once, in the message contract
// (src/core/contract/charger-event.ts), which the session and load nodes both parse with.
export { CHARGER_EVENTS, isChargerEventPayload, type ChargerEvent, type ChargerEventName, type CpState } from '../contract/charger-event';
