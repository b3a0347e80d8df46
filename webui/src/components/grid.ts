import { CommandError, int } from "../protocol";
import { Component, type Host } from "./base";

const MAX_SIDE = 1000;
const MAX_CELLS = 250_000;
const COLOR = 1;
const TEXT = 2;

/**
 * A numColumns × numRows board of square cells. Cells are kept in a flat
 * array so writing one touches exactly one element: no lookups, no layout reads.
 */
export class Grid extends Component {
  readonly columns: number;
  readonly rows: number;
  private readonly cells: HTMLElement[] = [];
  private readonly colors: (string | null)[];
  private readonly texts: (string | null)[];
  /** Per cell: COLOR and/or TEXT when the element is behind `colors`/`texts`. */
  private readonly stale: Uint8Array;
  /** Cells with a nonzero `stale`, written to the DOM once after the flush. */
  private pending: number[] = [];

  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "grid", host);
    this.columns = int(payload, "numColumns");
    this.rows = int(payload, "numRows");
    if (this.columns < 1 || this.rows < 1 || this.columns > MAX_SIDE || this.rows > MAX_SIDE) {
      throw new CommandError(`grid size must be between 1 and ${MAX_SIDE} on each side`);
    }
    if (this.columns * this.rows > MAX_CELLS) {
      throw new CommandError(`grid may have at most ${MAX_CELLS} cells`);
    }
    const count = this.columns * this.rows;
    this.colors = new Array<string | null>(count).fill(null);
    this.texts = new Array<string | null>(count).fill(null);
    this.stale = new Uint8Array(count);

    const board = document.createElement("div");
    board.className = "sk-grid-board";
    // Cells shrink for large boards so the whole grid stays on screen.
    const side = Math.max(8, Math.min(32, Math.floor(640 / Math.max(this.columns, this.rows))));
    board.style.setProperty("--sk-cell", `${side}px`);
    // One layer per row: a burst of updates repaints only the rows it touched,
    // not all of a large board each frame. Rows are deep clones of one row
    // built cell by cell (data-x included): a 100×100 board takes less than
    // half as long to build that way (45 → 20 ms in a fresh page).
    const template = document.createElement("div");
    template.className = "sk-grid-row";
    for (let x = 0; x < this.columns; x++) {
      const cell = document.createElement("div");
      cell.className = "sk-cell";
      cell.dataset.x = String(x);
      template.append(cell);
    }
    const fragment = document.createDocumentFragment();
    for (let y = 0; y < this.rows; y++) {
      const row = template.cloneNode(true) as HTMLElement;
      const yText = String(y);
      for (let cell = row.firstElementChild; cell; cell = cell.nextElementSibling) {
        cell.setAttribute("data-y", yText);
        this.cells.push(cell as HTMLElement);
      }
      fragment.append(row);
    }
    board.append(fragment);
    board.addEventListener("click", (event) => {
      const cell = (event.target as Element | null)?.closest?.(".sk-cell") as HTMLElement | null;
      if (!cell || !board.contains(cell)) return;
      const x = Number(cell.dataset.x);
      const y = Number(cell.dataset.y);
      this.host.sendEvent(this, { event: "click", x, y });
    });
    this.el.append(board);
  }

  private index(options: Record<string, unknown>): number {
    return this.cellIndex(int(options, "x"), int(options, "y"));
  }

  private cellIndex(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.columns || y >= this.rows) {
      throw new CommandError(`cell (${x}, ${y}) is outside the ${this.columns}×${this.rows} grid`);
    }
    return y * this.columns + x;
  }

  /** `setColor` for integers x and y the caller has checked (see App.applyGridColors). */
  setCellColor(x: number, y: number, color: string | null): void {
    this.setColor(this.cellIndex(x, y), color || null);
  }

  private setColor(i: number, color: string | null): void {
    if (this.colors[i] === color) return;
    this.colors[i] = color;
    this.markStale(i, COLOR);
  }

  private setText(i: number, value: string | null): void {
    if (this.texts[i] === value) return;
    this.texts[i] = value;
    this.markStale(i, TEXT);
  }

  // A flush applies everything that arrived since the last animation frame,
  // which may set the same cell more than once: only the last value reaches
  // the DOM, once per cell, after all of them (a style write costs ~1 µs, and
  // Chromium's restyle and repaint of a changed cell ~6 µs more).
  private markStale(i: number, what: number): void {
    if (this.stale[i] === 0) {
      if (this.pending.length === 0) this.host.afterFlush(() => this.render());
      this.pending.push(i);
    }
    this.stale[i] |= what;
  }

  private render(): void {
    const { pending, stale, cells } = this;
    this.pending = [];
    for (let k = 0; k < pending.length; k++) {
      const i = pending[k];
      if (stale[i] & COLOR) cells[i].style.backgroundColor = this.colors[i] ?? "";
      if (stale[i] & TEXT) cells[i].textContent = this.texts[i] ?? "";
      stale[i] = 0;
    }
  }

  update(action: string, options: Record<string, unknown>): void {
    switch (action) {
      case "setColor": {
        const i = this.index(options);
        const color = options.color;
        if (color !== null && color !== undefined && typeof color !== "string") {
          throw new CommandError("option 'color' must be a string or null");
        }
        this.setColor(i, color || null);
        break;
      }
      case "setText": {
        const i = this.index(options);
        const value = options.text;
        if (value === null || value === undefined || value === "") this.setText(i, null);
        else if (typeof value === "string") this.setText(i, value);
        else if (typeof value === "number" || typeof value === "boolean") this.setText(i, String(value));
        else throw new CommandError("option 'text' must be a string or null");
        break;
      }
      case "clearCell": {
        const i = this.index(options);
        this.setColor(i, null);
        this.setText(i, null);
        break;
      }
      case "clear":
        for (let i = 0; i < this.cells.length; i++) {
          this.setColor(i, null);
          this.setText(i, null);
        }
        break;
      default:
        throw new CommandError(`unknown action '${action}'`);
    }
  }
}
