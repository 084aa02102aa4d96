/** Types of ct-mini-platform.mjs, for the TypeScript tests that use it. */
export interface ReceivedFrame {
  deviceId: string;
  code: number;
  body: Record<string, unknown> & { sequence: string };
}
export interface MiniPlatform {
  loginAddress: string;
  received: ReceivedFrame[];
  withhold(code: number, on?: boolean): void;
  next(match: number | ((frame: ReceivedFrame) => boolean)): Promise<ReceivedFrame>;
  control(deviceId: string, cmd: Array<{ cmdName: string; cmdParam: string }>, serialId?: string): string;
  close(): void;
}
export function startMiniPlatform(options: {
  devices: Array<{ deviceId: string; pin: string }>;
  heartBeat?: number;
}): Promise<MiniPlatform>;
