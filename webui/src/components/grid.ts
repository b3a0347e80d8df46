import { CommandError, int } from "../protocol";
import { Component, type Host } from "./base";

const MAX_SIDE = 1000;
const MAX_CELLS = 250_000;
const COLOR = 1;
const TEXT = 2;

function context2d(
  canvas: HTMLCanvasElement,
  options?: CanvasRenderingContext2DSettings,
): CanvasRenderingContext2D {
  const ctx = canvas.getContext("2d", options);
  if (ctx === null) throw new CommandError("this browser cannot draw a grid (no 2D canvas)");
  return ctx;
}

/**
 * Turns CSS color strings into the RGBA pixels the board is painted with,
 * through a 1×1 canvas, so any color the browser knows works; cached.
 */
class ColorParser {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cache = new Map<string, number>();

  constructor() {
    const scratch = document.createElement("canvas");
    scratch.width = scratch.height = 1;
    this.ctx = context2d(scratch, { willReadFrequently: true });
  }

  /** The color as a pixel of an ImageData's Uint32Array view; throws CommandError when unknown. */
  pixelOf(color: string): number {
    const known = this.cache.get(color);
    if (known !== undefined) return known;
    const ctx = this.ctx;
    // An unknown color leaves fillStyle as it was: two different starting
    // values tell "unknown" apart from a color equal to one of them.
    ctx.fillStyle = "#010203";
    ctx.fillStyle = color;
    const first = ctx.fillStyle;
    ctx.fillStyle = "#040506";
    ctx.fillStyle = color;
    if (first === "#010203" && ctx.fillStyle === "#040506") {
      throw new CommandError(`'${color.slice(0, 60)}' is not a CSS color`);
    }
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillRect(0, 0, 1, 1);
    const value = new Uint32Array(ctx.getImageData(0, 0, 1, 1).data.buffer)[0];
    if (this.cache.size >= 4096) this.cache.clear();
    this.cache.set(color, value);
    return value;
  }
}

let colorParser: ColorParser | null = null;

/**
 * A numColumns × numRows board of square cells. Colors are painted on a
 * canvas holding one pixel per cell, scaled up under the cells' grid lines;
 * the cells themselves are elements (text, clicks, data-x/data-y) that a
 * color change never touches, so a burst of colors costs Chromium no
 * restyle and no repaint of elements.
 */
export class Grid extends Component {
  readonly columns: number;
  readonly rows: number;
  private readonly cells: HTMLElement[] = [];
  private readonly texts: (string | null)[];
  /** Per cell: COLOR when the canvas is behind `pixels`, TEXT when the element is behind `texts`. */
  private readonly stale: Uint8Array;
  /** Cells with a nonzero `stale`, written to the page once after the flush. */
  private pending: number[] = [];
  private readonly paint: HTMLCanvasElement;
  private readonly paintCtx: CanvasRenderingContext2D;
  private readonly image: ImageData;
  /** The cells' colors as the canvas will show them after the next flush (a view of `image`). */
  private readonly pixels: Uint32Array;

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
    this.texts = new Array<string | null>(count).fill(null);
    this.stale = new Uint8Array(count);

    const board = document.createElement("div");
    board.className = "sk-grid-board";
    // Cells shrink for large boards so the whole grid stays on screen.
    const side = Math.max(8, Math.min(32, Math.floor(640 / Math.max(this.columns, this.rows))));
    board.style.setProperty("--sk-cell", `${side}px`);

    this.paint = document.createElement("canvas");
    this.paint.className = "sk-grid-paint";
    this.paint.width = this.columns;
    this.paint.height = this.rows;
    // Each pixel covers its cell and the lines above and left of it; the
    // lines are drawn over it by the cells' layer.
    this.paint.style.width = `${this.columns * (side + 1)}px`;
    this.paint.style.height = `${this.rows * (side + 1)}px`;
    this.paintCtx = context2d(this.paint);
    this.image = this.paintCtx.createImageData(this.columns, this.rows);
    this.pixels = new Uint32Array(this.image.data.buffer);

    const layer = document.createElement("div");
    layer.className = "sk-grid-cells";
    // Rows are deep clones of one row built cell by cell (data-x included):
    // a 100×100 board takes less than half as long to build that way.
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
    layer.append(fragment);
    board.append(this.paint, layer);
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
    // Unknown colors are refused here, at the update, not when painting.
    const pixel = color === null ? 0 : (colorParser ??= new ColorParser()).pixelOf(color);
    if (this.pixels[i] === pixel) return;
    this.pixels[i] = pixel;
    this.markStale(i, COLOR);
  }

  private setText(i: number, value: string | null): void {
    if (this.texts[i] === value) return;
    this.texts[i] = value;
    this.markStale(i, TEXT);
  }

  // A flush applies everything that arrived since the last animation frame,
  // which may set the same cell more than once: only the last value reaches
  // the page, once per cell, after all of them. Colors go to the canvas in one
  // putImageData; before the canvas, each was a style write that cost
  // Chromium ~8 µs of restyle and repaint per cell, most of a burst's time.
  private markStale(i: number, what: number): void {
    if (this.stale[i] === 0) {
      if (this.pending.length === 0) this.host.afterFlush(() => this.render());
      this.pending.push(i);
    }
    this.stale[i] |= what;
  }

  private render(): void {
    const { pending, stale, cells, columns } = this;
    this.pending = [];
    // Only the rectangle around what changed goes back to the canvas.
    let left = columns;
    let top = this.rows;
    let right = -1;
    let bottom = -1;
    for (let k = 0; k < pending.length; k++) {
      const i = pending[k];
      if (stale[i] & COLOR) {
        const x = i % columns;
        const y = (i - x) / columns;
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
      if (stale[i] & TEXT) cells[i].textContent = this.texts[i] ?? "";
      stale[i] = 0;
    }
    if (right >= 0) {
      this.paintCtx.putImageData(this.image, 0, 0, left, top, right - left + 1, bottom - top + 1);
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
