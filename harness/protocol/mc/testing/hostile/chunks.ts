import fc from "fast-check";

/** Splits bytes into chunks at arbitrary points, as TCP may deliver them (1-byte chunks included). */
export function chunked(bytes: Uint8Array): fc.Arbitrary<Buffer[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 8 })
    .map((cuts) => {
      const points = [0, ...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length];
      const out: Buffer[] = [];
      for (let i = 1; i < points.length; i++)
        out.push(Buffer.from(bytes.subarray(points[i - 1] as number, points[i] as number)));
      return out;
    });
}
