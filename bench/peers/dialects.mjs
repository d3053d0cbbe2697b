// How each server under comparison is asked to do the same work — store one memory,
// search, count what it holds. The SDK driver's copy of bench/peers/peer_dialect.cc:
// keep the two alike, so both drivers send the same requests.

// reflect-memory: one memory per write_memory; search_memories answers its default
// page (top 10 by BM25, with snippets).
const reflect = {
  write: (m) => ({ name: "write_memory", arguments: { title: m.title, content: m.content } }),
  checkWritten(result, m) {
    const stored = result.structuredContent.memory;
    if (!stored?.id || stored.title !== m.title) throw new Error(`write_memory did not answer the stored memory: ${JSON.stringify(stored)}`);
  },
  search: (term) => ({ name: "search_memories", arguments: { term } }),
  hitTitles: (result) => result.structuredContent.results.map((hit) => hit.title),
  count: () => ({ name: "get_usage", arguments: {} }),
  counted: (result) => result.structuredContent.operations.writes,
};

// The reference knowledge graph: a memory is an entity named by its title with the
// content as its one observation; search_nodes answers every entity whose name, type
// or observations contain the query (substring), unranked.
const reference = {
  write: (m) => ({
    name: "create_entities",
    arguments: { entities: [{ name: m.title, entityType: "memory", observations: [m.content] }] },
  }),
  checkWritten(result, m) {
    const created = result.structuredContent.entities;
    if (created.length !== 1 || created[0].name !== m.title) throw new Error(`create_entities did not create the entity: ${JSON.stringify(result)}`);
  },
  search: (term) => ({ name: "search_nodes", arguments: { query: term } }),
  hitTitles: (result) => result.structuredContent.entities.map((e) => e.name),
  count: () => ({ name: "read_graph", arguments: {} }),
  counted: (result) => result.structuredContent.entities.length,
};

export function dialectNamed(name) {
  const dialect = { reflect, reference }[name];
  if (!dialect) throw new Error(`unknown server kind '${name}' (reflect or reference)`);
  return dialect;
}
