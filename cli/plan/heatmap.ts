/**
 * The heat map: who reaches whom as coloured cells, area by area and namespace by namespace, as one SVG
 * with no external fonts, scripts or styles (every cell carries a tooltip). Estates with more namespaces
 * than fit on a screen keep the area panels and leave the namespace grid to the Markdown report's lists.
 */

import type { NamespaceCell, ReachabilitySummary, Tally } from "../../analysis/summary";
import { SERVICE, tallyText } from "../../analysis/summary";
import type { Area } from "../../model/areas";
import { escapeHtml } from "./document";

/** Above this many area namespaces the namespace grid is left out: cells would be too small to read. */
export const NAMESPACE_GRID_LIMIT = 120;

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const CHAR = 6.6;
const MARGIN = 24;

export const COLOURS: Record<NamespaceCell, string> = {
  allow: "#2da44e",
  "endpoint-only": "#e3a21a",
  partial: "#8fb8de",
  deny: "#eaeef2",
};

const LEGEND: Record<NamespaceCell, string> = {
  allow: "allowed to every pod",
  "endpoint-only": "allowed to endpoint pods only",
  partial: "allowed to some pods",
  deny: "denied",
};

const AREA_COLOURS: Record<Area, string> = {
  publicfrontal: "#cf4b3f",
  backoffice: "#3d5a80",
  internalservices: "#2a9d8f",
};

class Svg {
  readonly parts: string[] = [];
  rect(x: number, y: number, w: number, h: number, fill: string, title?: string, extra = ""): void {
    const tip = title === undefined ? "" : `<title>${escapeHtml(title)}</title>`;
    const close = tip === "" ? "/>" : `>${tip}</rect>`;
    this.parts.push(
      `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${fill}"${extra}${close}`,
    );
  }
  text(x: number, y: number, text: string, attributes = ""): void {
    this.parts.push(`<text x="${n(x)}" y="${n(y)}"${attributes}>${escapeHtml(text)}</text>`);
  }
  line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1): void {
    this.parts.push(
      `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${stroke}" stroke-width="${width}"/>`,
    );
  }
}

function n(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function textWidth(text: string): number {
  return text.length * CHAR;
}

/** The legend's colours: all allowed, none allowed, or some (the cell's text says how many). */
function tallyColour(t: Tally): string {
  if (t.total === 0) return "#ffffff";
  if (t.allowed === t.total) return COLOURS.allow;
  return t.allowed === 0 ? COLOURS.deny : COLOURS.partial;
}

/** Where a drawing step ended, going down the picture, and how wide it drew. */
interface Drawn {
  y: number;
  width: number;
}

export function heatMapSvg(stack: string, summary: ReachabilitySummary): string {
  const svg = new Svg();
  let { y, width } = drawHeading(svg, stack, MARGIN);
  // Area panels: one per phase, a column per destination area and kind of pod.
  const labelWidth = Math.max(...summary.rows.map((row) => textWidth(row.name))) + 12;
  for (const table of summary.phases) {
    const panel = drawAreaPanel(svg, summary, table, y, labelWidth);
    y = panel.y;
    width = Math.max(width, panel.width);
  }
  const grid = drawNamespaceGrid(svg, summary, y);
  y = grid.y;
  width = Math.max(width, grid.width);

  const height = y + MARGIN;
  const w = Math.ceil(width);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${n(height)}" viewBox="0 0 ${w} ${n(height)}" ${FONT} fill="#24292f">`,
    `<title>Who reaches whom: stack ${escapeHtml(stack)}</title>`,
    `<rect width="${w}" height="${n(height)}" fill="#ffffff"/>`,
    ...svg.parts,
    "</svg>",
    "",
  ].join("\n");
}

/** The title, what a cell counts, and the legend of the cells' colours. */
function drawHeading(svg: Svg, stack: string, top: number): Drawn {
  let y = top;
  svg.text(MARGIN, y + 16, `Who reaches whom: stack ${stack}`, ' font-size="18" font-weight="600"');
  y += 30;
  const subtitle =
    `Connections on ${SERVICE.port}/${SERVICE.protocol} between stand-in pods: ` +
    'one labelled endpoint: "true" and one other pod per namespace.';
  svg.text(MARGIN, y + 12, subtitle, ' font-size="12" fill="#57606a"');
  y += 24;
  let x = MARGIN;
  for (const cell of ["allow", "endpoint-only", "partial", "deny"] as const) {
    svg.rect(x, y, 14, 14, COLOURS[cell], undefined, ' stroke="#afb8c1" stroke-width="0.5"');
    svg.text(x + 20, y + 11, LEGEND[cell], ' font-size="12"');
    x += 20 + textWidth(LEGEND[cell]) + 18;
  }
  return { y: y + 30, width: Math.max(MARGIN * 2 + textWidth(subtitle), x) };
}

/** One phase's panel: a row per kind of source, a column per destination area and kind of pod. */
function drawAreaPanel(
  svg: Svg,
  summary: ReachabilitySummary,
  table: ReachabilitySummary["phases"][number],
  top: number,
  labelWidth: number,
): Drawn {
  const cellW = 78;
  const cellH = 22;
  let y = top;
  svg.text(
    MARGIN,
    y + 14,
    `Between areas: to namespaces in the ${table.phase} phase`,
    ' font-size="14" font-weight="600"',
  );
  y += 26;
  const left = MARGIN + labelWidth;
  table.columns.forEach((column, c) => {
    const cx = left + c * cellW;
    if (column.endpoint) {
      svg.rect(cx, y, cellW * 2 - 2, 18, AREA_COLOURS[column.area]);
      svg.text(cx + cellW - 1, y + 13, column.area, ' font-size="12" fill="#ffffff" text-anchor="middle"');
    }
    svg.text(
      cx + cellW / 2,
      y + 32,
      column.endpoint ? "endpoint pods" : "other pods",
      ' font-size="11" fill="#57606a" text-anchor="middle"',
    );
  });
  y += 40;
  summary.rows.forEach((row, r) => {
    const ry = y + r * cellH;
    svg.text(left - 8, ry + 15, row.name, ' font-size="12" text-anchor="end"');
    table.columns.forEach((column, c) => {
      const t = table.cells[r]![c]!;
      const text = tallyText(t);
      const title = `${row.name} → ${column.area} (${column.endpoint ? "endpoint pods" : "other pods"}, ${table.phase}): ${text === "allow" || text === "deny" ? text : `${t.allowed} of ${t.total} connections allowed`}`;
      svg.rect(left + c * cellW, ry, cellW - 2, cellH - 2, tallyColour(t), title);
      const dark = t.total > 0 && t.allowed === t.total;
      svg.text(
        left + c * cellW + (cellW - 2) / 2,
        ry + 14,
        text,
        ` font-size="11" text-anchor="middle" fill="${dark ? "#ffffff" : "#24292f"}"`,
      );
    });
  });
  return {
    y: y + summary.rows.length * cellH + 20,
    width: left + table.columns.length * cellW + MARGIN,
  };
}

/**
 * The namespace grid, grouped by area, with a band of the area's colour along each axis; above
 * NAMESPACE_GRID_LIMIT only a note saying where the lists are.
 */
function drawNamespaceGrid(svg: Svg, summary: ReachabilitySummary, top: number): Drawn {
  const namespaces = summary.namespaces;
  let y = top;
  if (namespaces.length > NAMESPACE_GRID_LIMIT) {
    svg.text(
      MARGIN,
      y + 14,
      `${namespaces.length} namespaces: the namespace grid is left out above ${NAMESPACE_GRID_LIMIT}; see reachability.md.`,
      ' font-size="12" fill="#57606a"',
    );
    return { y: y + 30, width: 0 };
  }
  if (namespaces.length === 0) return { y, width: 0 };
  svg.text(
    MARGIN,
    y + 14,
    "Between namespaces (rows: from, columns: to)",
    ' font-size="14" font-weight="600"',
  );
  y += 26;
  const size = 14;
  const nameWidth = Math.max(...namespaces.map((ns) => textWidth(ns.name))) + 12;
  const band = 6;
  const left = MARGIN + nameWidth + band + 4;
  const gridTop = y + nameWidth + band + 4;
  drawGridLabels(svg, namespaces, { left, top: gridTop, size, band });
  namespaces.forEach((from, r) => {
    namespaces.forEach((to, c) => {
      const cell = summary.namespaceCell(r, c);
      svg.rect(
        left + c * size,
        gridTop + r * size,
        size - 1,
        size - 1,
        COLOURS[cell],
        `${from.name} (${from.area}) → ${to.name} (${to.area}): ${LEGEND[cell]}`,
      );
    });
  });
  // Lines between areas.
  const extent = namespaces.length * size;
  namespaces.forEach((ns, i) => {
    if (i === 0 || namespaces[i - 1]!.area === ns.area) return;
    svg.line(left + i * size - 0.5, gridTop - band - 3, left + i * size - 0.5, gridTop + extent, "#24292f");
    svg.line(left - band - 3, gridTop + i * size - 0.5, left + extent, gridTop + i * size - 0.5, "#24292f");
  });
  y = gridTop + extent + 14;
  if (namespaces.some((ns) => ns.phase === "strict")) {
    svg.text(MARGIN, y + 12, "* strict phase", ' font-size="11" fill="#57606a"');
    y += 18;
  }
  drawAreaLegend(svg, namespaces, y);
  return { y: y + 20, width: left + extent + MARGIN };
}

/** Each namespace's name and a band of its area's colour, along the rows and (rotated) along the columns. */
function drawGridLabels(
  svg: Svg,
  namespaces: ReachabilitySummary["namespaces"],
  grid: { left: number; top: number; size: number; band: number },
): void {
  const { left, top, size, band } = grid;
  namespaces.forEach((ns, i) => {
    const colour = AREA_COLOURS[ns.area];
    const strict = ns.phase === "strict" ? " (strict)" : "";
    // Row label and area band.
    svg.text(
      left - band - 8,
      top + i * size + 11,
      `${ns.name}${strict ? " *" : ""}`,
      ' font-size="11" text-anchor="end"',
    );
    svg.rect(left - band - 3, top + i * size, band, size - 1, colour, `${ns.name}: ${ns.area}${strict}`);
    // Column label (rotated) and area band.
    const cx = left + i * size + 10;
    svg.text(
      cx,
      top - band - 8,
      `${ns.name}${strict ? " *" : ""}`,
      ` font-size="11" transform="rotate(-90 ${n(cx)} ${n(top - band - 8)})"`,
    );
    svg.rect(left + i * size, top - band - 3, size - 1, band, colour, `${ns.name}: ${ns.area}${strict}`);
  });
}

/** The colour of each area the grid shows. */
function drawAreaLegend(svg: Svg, namespaces: ReachabilitySummary["namespaces"], y: number): void {
  let x = MARGIN;
  for (const area of Object.keys(AREA_COLOURS) as Area[]) {
    if (!namespaces.some((ns) => ns.area === area)) continue;
    svg.rect(x, y, 14, 6, AREA_COLOURS[area]);
    svg.text(x + 20, y + 7, area, ' font-size="11"');
    x += 20 + textWidth(area) + 18;
  }
}
