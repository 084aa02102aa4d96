import { Readable } from "node:stream";
import { bodyChunks } from "../api/body.ts";
import type { RouteSet } from "../api/http-api.ts";
import { PlatformError } from "../errors.ts";
import type { FirmwareStore } from "./firmware.ts";

const unknown = (name: string) =>
  new PlatformError("UNKNOWN_FIRMWARE", `no firmware file named ${JSON.stringify(name)}`);

/**
 * The firmware files, mounted into the api surface's server: `/api/firmware/*` to list, upload and delete them
 * (behind the API's token), `/firmware/<name>` to fetch one.
 */
export function firmwareRoutes(firmware: FirmwareStore): RouteSet {
  return (app) => {
    app.get("/api/firmware", (c) => c.json(firmware.list()));
    app.put("/api/firmware/:name", async (c) => {
      const file = await firmware.putStream(c.req.param("name"), bodyChunks(c));
      return c.json({ name: file.name, md5: file.md5, size: file.size }, 201);
    });
    app.delete("/api/firmware/:name", async (c) => {
      const name = c.req.param("name");
      if (!(await firmware.delete(name))) throw unknown(name);
      return c.json({ deleted: name });
    });
    // Open to anyone who can reach the port, token or not: devices fetch the URL of a 2025 and cannot send a token.
    app.get("/firmware/:name", async (c) => {
      const name = c.req.param("name");
      const opened = await firmware.open(name);
      if (opened === undefined) throw unknown(name);
      const headers = {
        "content-type": "application/octet-stream",
        "content-length": String(opened.file.size),
        "content-md5": opened.file.md5,
      };
      if (c.req.method === "HEAD") {
        opened.stream.destroy();
        return c.body(null, 200, headers);
      }
      return c.body(Readable.toWeb(opened.stream) as ReadableStream<Uint8Array>, 200, headers);
    });
  };
}
