import { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { McStreamDecoder } from "../../harness/protocol/mc/stream-decoder.ts";

/**
 * The codec floor of the per-frame benchmarks (bench:cost's (a), bench:instructions): one heartbeat round trip
 * through hilfarm's codec alone, on one thread, no sockets: the 1000 HeartbeatRequest encoded and decoded, then the
 * 1001 HeartbeatResponse encoded and decoded. Returns a function doing round trip `n`.
 */
export function codecRoundTripper(): (n: number) => void {
  const key = CipherKey.fromSessionKey("abcdef0123456789");
  const token = "qwertyuiop123456";
  const platformSide = new McStreamDecoder({ keyFor: () => key });
  const deviceSide = new McStreamDecoder({ keyFor: () => key });
  return (n) => {
    const sequence = String(n % 65536);
    const time = 1_700_000_000 + n;
    const request = encodeFrame({ code: 1000, body: { sequence, token, time } }, { key, token });
    const [got] = platformSide.push(request);
    if (!got?.ok) throw new Error("codec floor: the request did not decode");
    const response = encodeFrame({ code: 1001, body: { result: 0, sequence, time } }, { key });
    const [answer] = deviceSide.push(response);
    if (!answer?.ok) throw new Error("codec floor: the response did not decode");
  };
}
