import type { Server, Socket } from "node:net";

/** Keeps the open sockets of a server so that a shutdown can end them: `server.close()` waits for every one. */
export function trackConnections(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}
