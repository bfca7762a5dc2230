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
import type { GraphData, GraphEdge, GraphNode } from './protocol';

/** A graph bigger than this is cut (the busiest nodes kept): a layout of thousands of nodes is unreadable and slow. */
export const MAX_GRAPH_NODES = 300;

/**
 * Nodes and edges as a graph collects them: an entity is one node when its type and its text compared as
 * the ignore list compares it are the same; an edge is one (source, relation type, target), counted.
 */
class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();

  /** The node of an entity (made on first sight), with `assertion` among its statuses. */
  node(type: string, text: string, assertion: string): GraphNode {
    const key = `${type}\u0000${foldText(text)}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = { id: `n${this.nodes.size}`, label: text.replace(/\s+/g, ' '), type, mentions: [], assertions: [] };
      this.nodes.set(key, node);
    }
    addOnce(node.assertions, assertion);
    return node;
  }

  edge(source: GraphNode, type: string, target: GraphNode, assertion: string): void {
    const key = `${source.id}|${type}|${target.id}`;
    const edge = this.edges.get(key) ?? { id: `e${this.edges.size}`, source: source.id, target: target.id, type, count: 0, assertions: [] };
    edge.count++;
    addOnce(edge.assertions, assertion);
    this.edges.set(key, edge);
  }

  /** At most MAX_GRAPH_NODES nodes, the most connected (then the most mentioned) kept, and the edges among them. */
  build(uri: string): GraphData {
    let kept = [...this.nodes.values()];
    const truncated = kept.length > MAX_GRAPH_NODES;
    if (truncated) {
      const degree = new Map<string, number>();
      for (const e of this.edges.values()) for (const n of [e.source, e.target]) degree.set(n, (degree.get(n) ?? 0) + e.count);
      kept = kept.sort((a, b) => (degree.get(b.id) ?? 0) - (degree.get(a.id) ?? 0) || b.mentions.length - a.mentions.length).slice(0, MAX_GRAPH_NODES);
    }
    const ids = new Set(kept.map((n) => n.id));
    return { uri, nodes: kept, edges: [...this.edges.values()].filter((e) => ids.has(e.source) && ids.has(e.target)), truncated };
  }
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

export function buildRelationGraph(document: TextDocument, annotations: DocumentAnnotations | undefined): GraphData {
  const graph = new GraphBuilder();
  if (!annotations) return graph.build(document.uri);
  // A relation's arguments are entities of the document: their nodes exist, their statuses are the entities'.
  const nodeOf = (e: EntityAnnotation) => graph.node(e.type, e.text, e.assertion.status);
  const length = document.getText().length;
  for (const e of annotations.entities) {
    if (e.end <= length) nodeOf(e).mentions.push(entityRange(document, e));
  }
  for (const r of annotations.relations) {
    if (r.head.end <= length && r.tail.end <= length) graph.edge(nodeOf(r.head), r.type, nodeOf(r.tail), r.assertion.status);
  }
  return graph.build(document.uri);
}

/**
 * The workspace's graph, from the index: the relations' arguments as nodes (keyed as in a document, so
 * "metformin" in forty notes is one node, its mentions in each), one edge per distinct triple.
 */
export function buildWorkspaceGraph(uri: string, relations: readonly IndexedRelation[]): GraphData {
  const graph = new GraphBuilder();
  const seen = new Set<string>();
  const nodeOf = (a: IndexedArgument, where: string, assertion: string): GraphNode => {
    const node = graph.node(a.type, a.text, assertion);
    const mention = `${node.id}\u0000${where}\u0000${a.start}`;
    if (!seen.has(mention)) {
      seen.add(mention);
      node.mentions.push({ start: { line: a.line, character: a.character }, end: { line: a.endLine, character: a.endCharacter }, uri: where });
    }
    return node;
  };
  for (const r of relations) graph.edge(nodeOf(r.head, r.uri, r.assertion), r.type, nodeOf(r.tail, r.uri, r.assertion), r.assertion);
  return graph.build(uri);
}
