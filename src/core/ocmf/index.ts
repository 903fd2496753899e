// OCMF (Open Charge Metering Format) building, parsing, signing and verification.
export * from './build';
export * from './curves';
export * from './parse';
export * from './public-key';
export * from './sign';
export * from './signature';
export * from './time';
export * from './verify';
