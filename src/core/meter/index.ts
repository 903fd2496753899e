// Public surface of the meter core: decoder, profiles, protocol helpers.
export { createMeterDecoder, REJECT_REASONS } from './decoder';
export type { DecoderOptions, MeterDecoder, DecodeEvent, LineClock, ParsedTelegram, ParsedValue, ReadingEvent, RejectEvent, RejectReason, ChecksumStatus } from './decoder';
export { validateProfile } from './profile';
export type { MeterProfile, MeterProtocol, FieldRule, FieldTerm, LinePattern, IecSettings } from './profile';
export { encodeDsmrTelegram, hexAscii, decodeHexAscii, dsmrTimeToIso } from './dsmr';
export { iecBcc, parseIdentification, signOnRequest, ackOptionSelect } from './iec62056';
export { crc16arc, crc16arcText, formatCrc16 } from './crc16';
export { MeterLineSplitter } from './linesplit';
export { ModbusMeter, validateModbusProfile } from './modbus-meter';
export type { ModbusProfile, ModbusEvent, ModbusRegister } from './modbus-meter';
export { crc16modbus, readRegistersRequest, parseRegistersResponse, float32be, float32ToDecimal } from './modbus';
