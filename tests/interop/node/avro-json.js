'use strict';
// Converts between avsc values and the language-neutral JSON the C# tests render (AvroRendering.cs):
// timestamps as epoch milliseconds, uuids as strings, decimals as their unscaled integer (string), bytes as hex,
// enums as symbols, map keys sorted. Written for these tests; not a general-purpose library.
const avsc = require('avsc');

// Decimal bytes <-> unscaled integer string, two's complement big-endian as the Avro spec says.
class DecimalType extends avsc.types.LogicalType {
  _fromValue(buf) {
    if (buf.length === 0) return '0';
    let n = BigInt('0x' + buf.toString('hex'));
    if (buf[0] & 0x80) n -= 1n << BigInt(buf.length * 8);
    return n.toString();
  }
  _toValue(text) {
    let n = BigInt(text);
    let length = 1;
    while (n < -(1n << BigInt(length * 8 - 1)) || n >= (1n << BigInt(length * 8 - 1))) length++;
    if (n < 0n) n += 1n << BigInt(length * 8);
    return Buffer.from(n.toString(16).padStart(length * 2, '0'), 'hex');
  }
  _resolve(type) {
    if (avsc.Type.isType(type, 'logical:decimal')) return (v) => v;
    return undefined;
  }
}

const logicalTypes = { decimal: DecimalType };

function unwrap(type) {
  return type.typeName === 'logical:decimal' ? null : type;
}

// avsc value -> neutral JSON.
function toNeutral(type, value) {
  if (value === null || value === undefined) return null;
  if (unwrap(type) === null) return value; // decimal: already a string
  switch (type.typeName) {
    case 'record':
      return Object.fromEntries(type.fields.map((f) => [f.name, toNeutral(f.type, value[f.name])]));
    case 'array':
      return value.map((v) => toNeutral(type.itemsType, v));
    case 'map':
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, toNeutral(type.valuesType, value[k])]));
    case 'union:unwrapped': {
      const branch = type.types.find((t) => t.typeName !== 'null' && t.isValid(value));
      return toNeutral(branch, value);
    }
    case 'bytes':
    case 'fixed':
      return value.toString('hex');
    default:
      return value;
  }
}

// Neutral JSON -> avsc value.
function fromNeutral(type, value) {
  if (value === null || value === undefined) return null;
  if (unwrap(type) === null) return value;
  switch (type.typeName) {
    case 'record': {
      const out = {};
      for (const f of type.fields) out[f.name] = fromNeutral(f.type, value[f.name]);
      return out;
    }
    case 'array':
      return value.map((v) => fromNeutral(type.itemsType, v));
    case 'map':
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromNeutral(type.valuesType, v)]));
    case 'union:unwrapped': {
      for (const branch of type.types.filter((t) => t.typeName !== 'null')) {
        const candidate = fromNeutral(branch, value);
        if (branch.isValid(candidate)) return candidate;
      }
      throw new Error('no union branch fits ' + JSON.stringify(value));
    }
    case 'bytes':
    case 'fixed':
      return Buffer.from(value, 'hex');
    default:
      return value;
  }
}

module.exports = { logicalTypes, toNeutral, fromNeutral, avsc };
