/**
 * The relation graph webview (bundled by scripts/bundle-extension.mjs into dist/graph.js, run inside the
 * webview under a strict Content-Security-Policy: this script and the stylesheet, nothing inline, nothing
 * from the network). Draws GraphData with Cytoscape.js (cose layout), filters by entity type, relation type
 * and assertion status, and asks the extension to reveal a node's mentions when it is clicked (each click
 * the next mention).
 */
import cytoscape from 'cytoscape';
import type { GraphData, GraphNode } from '../../server/src/lsp/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const container = document.getElementById('graph')!;
const filters = document.getElementById('filters')!;
const status = document.getElementById('status')!;

// Colour per entity type, in a fixed order so a type keeps its colour between redraws.
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
const colours = new Map<string, string>();
const colourOf = (type: string) => {
  if (!colours.has(type)) colours.set(type, PALETTE[colours.size % PALETTE.length]);
  return colours.get(type)!;
};

let cy: cytoscape.Core | undefined;
let graph: GraphData | undefined;
const hidden = { entity: new Set<string>(), relation: new Set<string>(), assertion: new Set<string>() };
const nextMention = new Map<string, number>();

function checkbox(group: keyof typeof hidden, value: string, colour?: string): HTMLLabelElement {
  const label = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.checked = !hidden[group].has(value);
  input.dataset.group = group;
  input.dataset.value = value;
  input.addEventListener('change', () => {
    if (input.checked) hidden[group].delete(value);
    else hidden[group].add(value);
    applyFilters();
  });
  label.append(input);
  if (colour) {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.backgroundColor = colour;
    label.append(swatch);
  }
  label.append(document.createTextNode(value));
  return label;
}

function renderFilters(g: GraphData): void {
  filters.replaceChildren();
  const section = (title: string, group: keyof typeof hidden, values: string[], colour?: (v: string) => string) => {
    if (!values.length) return;
    const box = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = title;
    box.append(legend, ...values.map((v) => checkbox(group, v, colour?.(v))));
    filters.append(box);
  };
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  section('Entities', 'entity', sorted(g.nodes.map((n) => n.type)), colourOf);
  section('Relations', 'relation', sorted(g.edges.map((e) => e.type)));
  section('Assertion', 'assertion', sorted([...g.nodes.flatMap((n) => n.assertions), ...g.edges.flatMap((e) => e.assertions)]));
}

/** An element shows when its type is on and at least one of its statuses is. */
function applyFilters(): void {
  if (!cy) return;
  cy.batch(() => {
    cy!.nodes().forEach((n) => {
      const node = n.data('node') as GraphNode;
      const on = !hidden.entity.has(node.type) && node.assertions.some((a) => !hidden.assertion.has(a));
      n.style('display', on ? 'element' : 'none');
    });
    cy!.edges().forEach((e) => {
      const on = !hidden.relation.has(e.data('type')) && (e.data('assertions') as string[]).some((a) => !hidden.assertion.has(a));
      e.style('display', on ? 'element' : 'none');
    });
  });
  const shown = cy.nodes().filter((n) => n.style('display') !== 'none').length;
  status.textContent = `${shown} of ${graph!.nodes.length} entities, ${graph!.edges.length} relations${graph!.truncated ? ' (the busiest entities only)' : ''}`;
}

function render(g: GraphData): void {
  graph = g;
  renderFilters(g);
  const elements: cytoscape.ElementDefinition[] = [
    ...g.nodes.map((n) => ({ data: { id: n.id, label: n.label, colour: colourOf(n.type), node: n } })),
    ...g.edges.map((e) => ({ data: { id: e.id, source: e.source, target: e.target, type: e.type, assertions: e.assertions, label: e.count > 1 ? `${e.type} ×${e.count}` : e.type } })),
  ];
  cy?.destroy();
  cy = cytoscape({
    container,
    elements,
    layout: { name: 'cose', animate: false, nodeDimensionsIncludeLabels: true },
    style: [
      { selector: 'node', style: { label: 'data(label)', 'background-color': 'data(colour)', color: '#888', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, width: 18, height: 18 } },
      { selector: 'edge', style: { label: 'data(label)', 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', width: 1.5, 'line-color': '#999', 'target-arrow-color': '#999', 'font-size': 9, color: '#888', 'text-rotation': 'autorotate' } },
    ],
    wheelSensitivity: 0.3,
  });
  cy.on('tap', 'node', (ev) => {
    const node = ev.target.data('node') as GraphNode;
    const k = nextMention.get(node.id) ?? 0;
    nextMention.set(node.id, k + 1);
    const mention = node.mentions[k % node.mentions.length];
    vscode.postMessage({ type: 'reveal', uri: mention.uri ?? g.uri, range: mention });
  });
  applyFilters();
  // Said on the container for tests and assistive tools: how many nodes, and where the first one is drawn.
  container.dataset.nodes = String(g.nodes.length);
  const first = cy.nodes()[0];
  if (first) container.dataset.firstNode = JSON.stringify({ ...first.renderedPosition(), label: first.data('label') });
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as { type: string; graph?: GraphData };
  if (message.type === 'graph' && message.graph) render(message.graph);
});
vscode.postMessage({ type: 'ready' });
