import type { PlatformContext } from "./context.ts";
import type { PlatformOptions } from "./platform-options.ts";

/**
 * One interface of the reference platform to the outside (the login server, the connection servers, the
 * northbound API, the MQTT fan-out, ...). It starts from the context every surface shares and says where it is
 * reached. Adding an interface is writing a surface and adding it to the list in surfaces.ts.
 */
export interface Surface<Context = PlatformContext> {
  /** Its key in `Platform.addresses.surfaces` and in the ready line. */
  readonly name: string;
  /** Refuses options it cannot work with: called for every surface before any starts. */
  check?(options: PlatformOptions): void;
  start(context: Context): Promise<StartedSurface>;
}

export interface StartedSurface {
  /** Where it is reached, by role (`login`, `tcp`, `http`, `mqtt`, ...): host:port or a URL. */
  readonly addresses: Record<string, string>;
  /** Ends its connections and stops listening. */
  close(): Promise<void>;
}

export interface StartedSurfaces {
  /** Every surface's addresses under its name, in the order they started. */
  readonly addresses: Record<string, Record<string, string>>;
  /** Closes every surface, the last started first; one that fails to close does not keep the others open. */
  close(): Promise<void>;
}

/**
 * Starts `surfaces` in order. When one fails to start, those already started are closed, the last first, and the
 * failure is thrown.
 */
export async function startSurfaces<Context>(
  surfaces: readonly Surface<Context>[],
  context: Context,
): Promise<StartedSurfaces> {
  const names = surfaces.map((s) => s.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new Error(`two surfaces are named ${JSON.stringify(twice)}`);
  const started: StartedSurface[] = [];
  const addresses: Record<string, Record<string, string>> = {};
  const close = async (): Promise<void> => {
    const failures: unknown[] = [];
    for (const surface of started.splice(0).reverse()) {
      await surface.close().catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  };
  for (const surface of surfaces) {
    try {
      const running = await surface.start(context);
      started.push(running);
      addresses[surface.name] = running.addresses;
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
  }
  return { addresses, close };
}
