// CBOR frames for client.js (docs/protocol.md §2.1), loaded only when a page asks for ?encoding=cbor.
// cbor-x 1.6.9 (MIT), vendored in vendor/cbor-x/: its no-eval browser build, which defines globalThis.CBOR.
import './vendor/cbor-x/index-no-eval.min.js';

const { Encoder, Decoder } = globalThis.CBOR;

// Plain maps with text keys, no records extension (a tag the server refuses), definite lengths.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
// The server writes integers past 32 bits (serverTime, at) as uint64: read them as numbers, not BigInt.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true });

export const SUBPROTOCOL = 'treasure-hunt.v1.cbor';

/** A frame as the CBOR of its JSON: fields that JSON would drop (undefined) are dropped here too. */
export function encode(frame) {
  return encoder.encode(JSON.parse(JSON.stringify(frame)));
}

/** A binary frame's CBOR (an ArrayBuffer) as the frame. */
export function decode(buffer) {
  return decoder.decode(new Uint8Array(buffer));
}
