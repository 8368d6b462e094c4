// git's pkt-line framing (gitprotocol-common): a four-digit hex length, then the payload.

/** side-band-64k: packets of at most 65,520 bytes, one of them the band. */
export const SIDEBAND_MAX = 65_515;

/** pkt-lines: each payload, or null for a flush packet (`0000`). */
export function readPackets(data: Buffer): Array<Buffer | null> {
  const packets: Array<Buffer | null> = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const length = Number.parseInt(data.subarray(at, at + 4).toString('latin1'), 16);
    if (Number.isNaN(length)) break;
    if (length < 4) {
      packets.push(null);
      at += 4;
      continue;
    }
    packets.push(data.subarray(at + 4, at + length));
    at += length;
  }
  return packets;
}

/** The pkt-lines of `packets` (null: a flush packet). */
export function writePackets(packets: Array<Buffer | null>): Buffer {
  return Buffer.concat(
    packets.map((packet) =>
      packet === null
        ? Buffer.from('0000')
        : Buffer.concat([Buffer.from((packet.length + 4).toString(16).padStart(4, '0')), packet]),
    ),
  );
}
