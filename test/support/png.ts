const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The width and height a PNG's IHDR chunk declares, after checking the signature and that IHDR is
 * the first chunk, 13 bytes long; throws on anything else.
 */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE))
    throw new Error('not a PNG: bad signature');
  if (bytes.readUInt32BE(8) !== 13 || bytes.subarray(12, 16).toString('latin1') !== 'IHDR')
    throw new Error('not a PNG: the first chunk is not a 13-byte IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
