/**
 * The relation graph of a document (`erlens/relationGraph`): one node per distinct entity (type and text,
 * compared case-insensitively, so "Amoxicillin" in two sentences is one node) with all its mentions, one
 * edge per distinct (head node, relation type, tail node) with how often the text says it and under which
 * assertion statuses. The webview (client/webview/graphView.ts) draws it with Cytoscape.js.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnnotations, EntityAnnotation } from '../annotations/types';
import { foldText } from '../corrections/store';
import { entityRange } from './relationText';
import type { IndexedArgument, IndexedRelation } from '../workspaceIndex/types';
import type { GraphData, GraphEdge, GraphNode, GraphRange } from './protocol';

/** A graph bigger than this is cut (the busiest nodes kept): a layout of thousands of nodes is unreadable and slow. */
export const MAX_GRAPH_NODES = 300;

/** Entities are one node when their type and their text compared as the ignore list compares it are the same. */
const nodeKey = (e: EntityAnnotation) => `${e.type}\u0000${foldText(e.text)}`;

export function buildRelationGraph(document: TextDocument, annotations: DocumentAnnotations | undefined): GraphData {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  if (!annotations) return { uri: document.uri, nodes: [], edges: [], truncated: false };
  const nodeOf = (e: EntityAnnotation): GraphNode => {
    const key = nodeKey(e);
    let node = nodes.get(key);
    if (!node) {
      node = { id: `n${nodes.size}`, label: e.text.replace(/\s+/g, ' '), type: e.type, mentions: [], assertions: [] };
      nodes.set(key, node);
    }
    return node;
  };
  const length = document.getText().length;
  for (const e of annotations.entities) {
    if (e.end > length) continue;
    const node = nodeOf(e);
    node.mentions.push(entityRange(document, e));
    if (!node.assertions.includes(e.assertion.status)) node.assertions.push(e.assertion.status);
  }
  for (const r of annotations.relations) {
    if (r.head.end > length || r.tail.end > length) continue;
    const source = nodeOf(r.head).id;
    const target = nodeOf(r.tail).id;
    const key = `${source}|${r.type}|${target}`;
    const edge = edges.get(key) ?? { id: `e${edges.size}`, source, target, type: r.type, count: 0, assertions: [] };
    edge.count++;
    if (!edge.assertions.includes(r.assertion.status)) edge.assertions.push(r.assertion.status);
    edges.set(key, edge);
  }
  return busiest(document.uri, nodes, edges);
}

/**
 * The workspace's graph, from the index: the relations' arguments as nodes (keyed as in a document, so
 * "metformin" in forty notes is one node, its mentions in each), one edge per distinct triple.
 */
export function buildWorkspaceGraph(uri: string, relations: readonly IndexedRelation[]): GraphData {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const seen = new Set<string>();
  const nodeOf = (a: IndexedArgument, where: string, assertion: string): GraphNode => {
    const key = `${a.type}\u0000${foldText(a.text)}`;
    let node = nodes.get(key);
    if (!node) {
      node = { id: `n${nodes.size}`, label: a.text.replace(/\s+/g, ' '), type: a.type, mentions: [], assertions: [] };
      nodes.set(key, node);
    }
    const mention = `${key}\u0000${where}\u0000${a.start}`;
    if (!seen.has(mention)) {
      seen.add(mention);
      const range: GraphRange = { start: { line: a.line, character: a.character }, end: { line: a.endLine, character: a.endCharacter }, uri: where };
      node.mentions.push(range);
    }
    if (!node.assertions.includes(assertion)) node.assertions.push(assertion);
    return node;
  };
  for (const r of relations) {
    const source = nodeOf(r.head, r.uri, r.assertion).id;
    const target = nodeOf(r.tail, r.uri, r.assertion).id;
    const key = `${source}|${r.type}|${target}`;
    const edge = edges.get(key) ?? { id: `e${edges.size}`, source, target, type: r.type, count: 0, assertions: [] };
    edge.count++;
    if (!edge.assertions.includes(r.assertion)) edge.assertions.push(r.assertion);
    edges.set(key, edge);
  }
  return busiest(uri, nodes, edges);
}

/** At most MAX_GRAPH_NODES nodes, the most connected (then the most mentioned) kept, and the edges among them. */
function busiest(uri: string, nodes: Map<string, GraphNode>, edges: Map<string, GraphEdge>): GraphData {
  let kept = [...nodes.values()];
  const truncated = kept.length > MAX_GRAPH_NODES;
  if (truncated) {
    const degree = new Map<string, number>();
    for (const e of edges.values()) for (const n of [e.source, e.target]) degree.set(n, (degree.get(n) ?? 0) + e.count);
    kept = kept.sort((a, b) => (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) || b.mentions.length - a.mentions.length).slice(0, MAX_GRAPH_NODES);
  }
  const ids = new Set(kept.map((n) => n.id));
  return { uri, nodes: kept, edges: [...edges.values()].filter((e) => ids.has(e.source) && ids.has(e.target)), truncated };
}
