// TEDS (tree-edit-distance-based similarity, Zhong et al. 2020, the PubTabNet and OmniDocBench
// table metric): 1 - TED(A, B) / max(|A|, |B|) over the HTML trees of two tables. Inserting or
// deleting a node costs 1; renaming costs 1 between different tags or between cells of different
// colspan/rowspan, and between two matching cells the normalised Levenshtein distance of their
// text (0 in the structure-only variant). The tree edit distance is the edit-distance package's
// Zhang-Shasha implementation.
import editDistance from 'edit-distance';
import { distance as levenshtein } from 'fastest-levenshtein';
import { parseDocument } from 'htmlparser2';

export interface TableNode {
  tag: string;
  colspan: number;
  rowspan: number;
  /** A cell's text (whitespace collapsed); empty for other nodes. */
  text: string;
  children: TableNode[];
}

interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

const CELL = new Set(['td', 'th']);
const KEPT = new Set(['table', 'tr', 'td', 'th']);

function textOf(node: DomNode): string {
  if (node.type === 'text') return node.data ?? '';
  return (node.children ?? []).map(textOf).join(' ');
}

/** The table's tree: table, rows, cells (thead/tbody/tfoot flattened, th counted as td). */
export function tableTree(html: string): TableNode | undefined {
  const doc = parseDocument(html, { lowerCaseTags: true }) as unknown as DomNode;
  const find = (n: DomNode): DomNode | undefined => (n.name === 'table' ? n : (n.children ?? []).map(find).find(Boolean));
  const table = find(doc);
  if (!table) return undefined;
  const convert = (n: DomNode): TableNode[] => {
    const kids = (n.children ?? []).filter((c) => c.type === 'tag');
    if (!n.name || !KEPT.has(n.name)) return kids.flatMap(convert);
    const cell = CELL.has(n.name);
    return [
      {
        tag: cell ? 'td' : n.name,
        colspan: Number(n.attribs?.['colspan'] ?? 1) || 1,
        rowspan: Number(n.attribs?.['rowspan'] ?? 1) || 1,
        text: cell ? textOf(n).replace(/\s+/g, ' ').trim() : '',
        children: cell ? [] : kids.flatMap(convert),
      },
    ];
  };
  return convert(table)[0];
}

const size = (n: TableNode): number => 1 + n.children.reduce((s, c) => s + size(c), 0);

/** TEDS of two tables' HTML in [0, 1]; 0 when either has no table. */
export function teds(predicted: string | undefined, truth: string, options: { structureOnly?: boolean } = {}): number {
  const a = predicted ? tableTree(predicted) : undefined;
  const b = tableTree(truth);
  if (!a || !b) return 0;
  const rename = (x: TableNode, y: TableNode): number => {
    if (x.tag !== y.tag || x.colspan !== y.colspan || x.rowspan !== y.rowspan) return 1;
    if (x.tag !== 'td' || options.structureOnly) return 0;
    const longest = Math.max(x.text.length, y.text.length);
    return longest === 0 ? 0 : levenshtein(x.text, y.text) / longest;
  };
  const one = () => 1;
  const { distance } = editDistance.ted(a, b, (n: TableNode) => n.children, one, one, rename);
  return 1 - distance / Math.max(size(a), size(b));
}
