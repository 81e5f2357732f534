import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from '../errors/problem.errors.js';
import type { JsonSchemaLike } from './route.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** Bodies are validated as sent; query strings and path parameters arrive as text and are coerced. */
const bodyAjv = addFormats(new Ajv({ allErrors: true, strict: false, useDefaults: true }));
const textAjv = addFormats(
  new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: 'array' }),
);

export type Validator = (data: unknown) => FieldError[];

export function compileValidator(schema: JsonSchemaLike, source: 'body' | 'text'): Validator {
  const validate: ValidateFunction = (source === 'body' ? bodyAjv : textAjv).compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map(toFieldError));
}

/** Pocket ID's field codes (pocket-id-api.md §1.2), so its scripts read our validation errors. */
function toFieldError(e: ErrorObject): FieldError {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { field: base ? `${base}.${missing}` : missing, code: 'required', message: 'is required' };
    }
    case 'minLength':
    case 'minItems':
      return { field: base, code: 'too_short', message: e.message ?? 'is too short' };
    case 'maxLength':
    case 'maxItems':
      return { field: base, code: 'too_long', message: e.message ?? 'is too long' };
    case 'format':
    case 'pattern':
      return { field: base, code: 'invalid_format', message: 'has an invalid format' };
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { field: base ? `${base}.${extra}` : extra, code: 'unknown_field', message: 'is not allowed' };
    }
    default:
      return { field: base, code: e.keyword, message: e.message ?? 'is invalid' };
  }
}
