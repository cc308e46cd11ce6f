/**
 * A report as plain blocks (headings, paragraphs, tables, lists), rendered to Markdown for reviewers and
 * PR comments and to HTML for the self-contained page. Text may hold `code` spans and **bold**, nothing
 * else, so both renderers agree on what a line says.
 */

export type Align = "left" | "right" | "center";

export type Block =
  | { kind: "heading"; level: 1 | 2 | 3 | 4; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; header: string[]; rows: string[][]; align?: Align[] }
  /** The heat map: an image link in Markdown, the SVG itself inline in HTML. */
  | { kind: "picture"; src: string; alt: string };

export function renderMarkdown(blocks: readonly Block[]): string {
  return `${blocks.map(markdownBlock).join("\n\n")}\n`;
}

function markdownBlock(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `${"#".repeat(block.level)} ${block.text}`;
    case "paragraph":
      return block.text;
    case "list":
      return block.items.map((item) => `- ${item}`).join("\n");
    case "table":
      return markdownTable(block.header, block.rows, block.align);
    case "picture":
      return `![${block.alt}](${block.src})`;
  }
}

export function markdownTable(header: readonly string[], rows: readonly string[][], align?: Align[]): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rule = header.map((_, i) => {
    switch (align?.[i] ?? "left") {
      case "right":
        return "---:";
      case "center":
        return ":---:";
      default:
        return "---";
    }
  });
  return [header, rule, ...rows].map((row) => `| ${row.map(cell).join(" | ")} |`).join("\n");
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Inline Markdown (`code`, **bold**) as HTML. */
export function inlineHtml(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 2rem auto;
  max-width: 80rem; padding: 0 1rem; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: 0.2rem 0.5rem; vertical-align: top; }
th { background: #f6f8fa; }
td.right { text-align: right; } td.center { text-align: center; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 0 0.2rem; }
figure { margin: 1rem 0; overflow-x: auto; }
`;

/** A page with no external scripts, fonts or styles: it opens from a file, offline. */
export function renderHtml(title: string, blocks: readonly Block[], picture: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...blocks.map((block) => htmlBlock(block, picture)),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function htmlBlock(block: Block, picture: string): string {
  switch (block.kind) {
    case "heading":
      return `<h${block.level}>${inlineHtml(block.text)}</h${block.level}>`;
    case "paragraph":
      return `<p>${inlineHtml(block.text)}</p>`;
    case "list":
      return `<ul>\n${block.items.map((item) => `<li>${inlineHtml(item)}</li>`).join("\n")}\n</ul>`;
    case "table": {
      const head = block.header.map((h) => `<th>${inlineHtml(h)}</th>`).join("");
      const rows = block.rows.map((row) => {
        const cells = row.map((text, i) => {
          const align = block.align?.[i];
          const cls = align && align !== "left" ? ` class="${align}"` : "";
          return `<td${cls}>${inlineHtml(text)}</td>`;
        });
        return `<tr>${cells.join("")}</tr>`;
      });
      return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`;
    }
    case "picture":
      return `<figure>\n${picture}</figure>`;
  }
}
