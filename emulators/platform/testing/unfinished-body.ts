import { request } from "node:http";

/**
 * A POST to `url` that announces 100 bytes and sends 10, then nothing: resolves with the answer's text when the
 * server answers, or "closed" when it ends the connection. A test advances the server's clock meanwhile.
 */
export function unfinishedBody(url: string | URL): Promise<string> {
  return new Promise<string>((resolve) => {
    const req = request(
      url,
      { agent: false, method: "POST", headers: { "content-length": "100" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => resolve(text));
      },
    );
    req.on("error", () => resolve("closed"));
    req.write(Buffer.alloc(10));
  });
}
