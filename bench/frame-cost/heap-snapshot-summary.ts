/**
 * What a V8 heap snapshot (`.heapsnapshot`, the format `--heapsnapshot-signal` writes) holds, per device: its bytes
 * (every node's self size) and its objects, in all and by group. A group is a node's type and name (`object:Object`,
 * `closure:send`, `object:EmulatedDevice`); strings of every kind are one group, and numbers another.
 */

export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  group: string;
  bytes: number;
  objects: number;
}

export interface HeapSummary {
  bytes: number;
  objects: number;
  /** Every group, the most bytes first. */
  groups: HeapGroup[];
}

/** A node's group: its type and name, the name cut to 60 characters; strings and numbers by their type alone. */
function groupOf(type: string, name: string): string {
  if (type.includes("string")) return "string";
  if (type === "number") return "number";
  return `${type}:${name.slice(0, 60)}`;
}

export function summarizeHeapSnapshot(snapshot: HeapSnapshot): HeapSummary {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  if (typeAt < 0 || nameAt < 0 || sizeAt < 0 || width === 0)
    throw new Error(`not a V8 heap snapshot: its node fields are ${JSON.stringify(fields)}`);
  const { nodes, strings } = snapshot;
  const groups = new Map<string, HeapGroup>();
  let bytes = 0;
  let objects = 0;
  for (let at = 0; at + width <= nodes.length; at += width) {
    const type = types[nodes[at + typeAt] as number] ?? "unknown";
    const group = groupOf(type, strings[nodes[at + nameAt] as number] ?? "");
    const size = nodes[at + sizeAt] as number;
    const entry = groups.get(group);
    if (entry === undefined) groups.set(group, { group, bytes: size, objects: 1 });
    else {
      entry.bytes += size;
      entry.objects++;
    }
    bytes += size;
    objects++;
  }
  return { bytes, objects, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes) };
}

/** `summary` divided by `devices`: bytes and objects per device, in all and by group. */
export function perDevice(summary: HeapSummary, devices: number): HeapSummary {
  if (!(devices > 0)) throw new Error(`devices must be positive, got ${devices}`);
  return {
    bytes: summary.bytes / devices,
    objects: summary.objects / devices,
    groups: summary.groups.map((g) => ({
      group: g.group,
      bytes: g.bytes / devices,
      objects: g.objects / devices,
    })),
  };
}
