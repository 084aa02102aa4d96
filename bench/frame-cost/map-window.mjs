// Preloaded into the processes bench:maps reads (through HILFARM_NODE_FLAGS="--import <this file>" for `hilfarm
// load`'s platform and worker, as a node flag for bench/frame-cost/bare-login.mjs's server and client), which run
// with V8's `--log-maps`. On the first SIGUSR2 it makes an object with a property of a name no other code uses, so that
// V8 logs a new hidden class named by it: the window's opening, in the log's own order. The second SIGUSR2 marks the
// closing the same way. bench/frame-cost/map-log.ts reads the events between the two; its WINDOW_OPEN and WINDOW_CLOSE
// are these names (a preload cannot import TypeScript), held together by map-log.test.ts on a real V8 log.
const names = ["hilfarm-map-window-open", "hilfarm-map-window-close"];
const markers = [];
process.on("SIGUSR2", () => {
  const name = names[markers.length];
  if (name === undefined) return;
  const marker = {};
  marker[name] = markers.length;
  markers.push(marker);
});
