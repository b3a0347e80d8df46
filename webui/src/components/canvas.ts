import { CommandError, int, isObject, num, optNum, optStr, text } from "../protocol";
import { Component, type Host } from "./base";

const MAX_SIDE = 8192;
const MAX_BUFFERS = 64;

type Ctx = CanvasRenderingContext2D;

/**
 * A real <canvas> with off-screen buffers. Drawing actions name a buffer by
 * `bufferId` (0 or absent: the visible canvas); `drawBuffer` copies one
 * buffer over another after clearing the target, so frames never ghost.
 */
export class Canvas extends Component {
  readonly canvas: HTMLCanvasElement;
  readonly width: number;
  readonly height: number;
  private readonly buffers = new Map<number, HTMLCanvasElement>();

  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "canvas", host);
    this.width = int(payload, "width");
    this.height = int(payload, "height");
    if (this.width < 1 || this.height < 1 || this.width > MAX_SIDE || this.height > MAX_SIDE) {
      throw new CommandError(`canvas size must be between 1 and ${MAX_SIDE} on each side`);
    }
    this.canvas = document.createElement("canvas");
    this.canvas.width = this.width;
    this.canvas.height = this.height;
    // Shown at its natural size, shrunk (not stretched) to fit narrow windows.
    this.canvas.style.width = `${this.width}px`;
    this.buffers.set(0, this.canvas);
    this.canvas.addEventListener("click", (event) => {
      const rect = this.canvas.getBoundingClientRect();
      if (rect.width <= 0 || rect.height <= 0) return;
      // Map CSS pixels back to the canvas' own coordinate space.
      const x = Math.floor(((event.clientX - rect.left) * this.width) / rect.width);
      const y = Math.floor(((event.clientY - rect.top) * this.height) / rect.height);
      this.host.sendEvent(this, {
        event: "click",
        x: Math.min(this.width - 1, Math.max(0, x)),
        y: Math.min(this.height - 1, Math.max(0, y)),
      });
    });
    this.el.append(this.canvas);
  }

  private context(options: Record<string, unknown>, key = "bufferId"): Ctx {
    const raw = options[key];
    const bufferId = raw === undefined || raw === null ? 0 : int(options, key);
    const buffer = this.buffers.get(bufferId);
    if (!buffer) throw new CommandError(`buffer ${bufferId} does not exist`);
    const ctx = buffer.getContext("2d");
    if (!ctx) throw new CommandError("2D drawing is not available");
    return ctx;
  }

  /** Fill and stroke the current path per the style options. */
  private paint(ctx: Ctx, options: Record<string, unknown>, fillable: boolean): void {
    const fill = fillable ? optStr(options, "fillColor") : null;
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    const lineWidth = optNum(options, "lineWidth", 1);
    if (lineWidth > 0) {
      ctx.lineWidth = lineWidth;
      ctx.strokeStyle = optStr(options, "lineColor") ?? "#000000";
      ctx.stroke();
    }
  }

  private points(options: Record<string, unknown>): [number, number][] {
    const raw = options.points;
    if (!Array.isArray(raw)) throw new CommandError("option 'points' must be a list of {x, y}");
    return raw.map((point, i) => {
      if (!isObject(point)) throw new CommandError(`points[${i}] must be an object {x, y}`);
      return [num(point, "x"), num(point, "y")] as [number, number];
    });
  }

  update(action: string, options: Record<string, unknown>): void {
    switch (action) {
      case "clear": {
        const ctx = this.context(options);
        ctx.clearRect(0, 0, this.width, this.height);
        return;
      }
      case "drawLine": {
        const ctx = this.context(options);
        ctx.beginPath();
        ctx.moveTo(num(options, "x1"), num(options, "y1"));
        ctx.lineTo(num(options, "x2"), num(options, "y2"));
        this.paint(ctx, options, false);
        return;
      }
      case "drawRect": {
        const ctx = this.context(options);
        ctx.beginPath();
        ctx.rect(num(options, "x"), num(options, "y"), num(options, "width"), num(options, "height"));
        this.paint(ctx, options, true);
        return;
      }
      case "drawCircle": {
        const ctx = this.context(options);
        const radius = num(options, "radius");
        if (radius < 0) throw new CommandError("option 'radius' must not be negative");
        ctx.beginPath();
        ctx.arc(num(options, "cx"), num(options, "cy"), radius, 0, Math.PI * 2);
        this.paint(ctx, options, true);
        return;
      }
      case "drawEllipse": {
        const ctx = this.context(options);
        const rx = num(options, "radiusX");
        const ry = num(options, "radiusY");
        if (rx < 0 || ry < 0) throw new CommandError("ellipse radii must not be negative");
        ctx.beginPath();
        ctx.ellipse(num(options, "cx"), num(options, "cy"), rx, ry, 0, 0, Math.PI * 2);
        this.paint(ctx, options, true);
        return;
      }
      case "drawPolyline":
      case "drawPolygon": {
        const ctx = this.context(options);
        const points = this.points(options);
        if (points.length === 0) return;
        ctx.beginPath();
        ctx.moveTo(points[0][0], points[0][1]);
        for (let i = 1; i < points.length; i++) ctx.lineTo(points[i][0], points[i][1]);
        const polygon = action === "drawPolygon";
        if (polygon) ctx.closePath();
        this.paint(ctx, options, polygon);
        return;
      }
      case "drawText": {
        const ctx = this.context(options);
        const size = optNum(options, "textSize", 12);
        if (size <= 0) throw new CommandError("option 'textSize' must be positive");
        ctx.font = `${size}px system-ui, sans-serif`;
        ctx.fillStyle = optStr(options, "textColor") ?? "#000000";
        ctx.textBaseline = "alphabetic";
        ctx.fillText(text(options, "text"), num(options, "x"), num(options, "y"));
        return;
      }
      case "createBuffer": {
        const bufferId = int(options, "bufferId");
        if (bufferId <= 0) throw new CommandError("option 'bufferId' must be a positive integer");
        if (!this.buffers.has(bufferId) && this.buffers.size > MAX_BUFFERS) {
          throw new CommandError(`at most ${MAX_BUFFERS} buffers per canvas`);
        }
        const buffer = document.createElement("canvas");
        buffer.width = this.width;
        buffer.height = this.height;
        this.buffers.set(bufferId, buffer);
        return;
      }
      case "destroyBuffer": {
        const bufferId = int(options, "bufferId");
        if (bufferId <= 0) throw new CommandError("the visible canvas (buffer 0) cannot be destroyed");
        if (!this.buffers.delete(bufferId)) throw new CommandError(`buffer ${bufferId} does not exist`);
        return;
      }
      case "drawBuffer": {
        const sourceId = int(options, "sourceBufferId");
        const source = this.buffers.get(sourceId);
        if (!source) throw new CommandError(`buffer ${sourceId} does not exist`);
        const target = this.context(options, "targetBufferId");
        if (target.canvas === source) return;
        target.clearRect(0, 0, this.width, this.height);
        target.drawImage(source, 0, 0);
        return;
      }
      default:
        throw new CommandError(`unknown action '${action}'`);
    }
  }

  destroy(): void {
    this.buffers.clear();
  }
}
