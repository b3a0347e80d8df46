// The WebSocket to the page's own server: URL from the page's location,
// reconnection with a short backoff, forever.

import { type GridColors, isGridColors } from "./protocol";

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

export interface ConnectionEvents {
  open(): void;
  close(): void;
  message(data: unknown): void;
}

/** `ws(s)://<host>/` plus `session` (from /session/<id>) and `token` (from ?token=). */
export function socketUrl(location: Location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams();
  const match = /^\/session\/([^/]+)\/?$/.exec(location.pathname);
  if (match) {
    let session = match[1];
    try {
      session = decodeURIComponent(session);
    } catch {
      // Keep it as written when it is not valid percent-encoding.
    }
    query.set("session", session);
  }
  const token = new URLSearchParams(location.search).get("token");
  if (token) query.set("token", token);
  const qs = query.toString();
  return `${scheme}//${location.host}/${qs ? `?${qs}` : ""}`;
}

/** What Connection needs of a socket: a WebSocket here, or one run by a worker. */
interface Socket {
  readonly isOpen: boolean;
  send(text: string): void;
  close(code: number, reason: string): void;
}

interface SocketEvents {
  open(): void;
  text(data: string): void;
  /** A frame the worker has parsed already. */
  decoded(data: unknown): void;
  close(): void;
  /** The worker itself failed (not the socket): use a direct socket from now on. */
  workerFailed(): void;
}

function directSocket(url: string, events: SocketEvents): Socket {
  const socket = new WebSocket(url);
  socket.addEventListener("open", () => events.open());
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") events.text(event.data);
  });
  socket.addEventListener("close", () => events.close());
  // An error is always followed by close, which does the work.
  return {
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    send: (text) => socket.send(text),
    close: (code, reason) => socket.close(code, reason),
  };
}

// The socket lives in a worker so that frames keep arriving while this
// thread renders. Chromium hands a socket's frames to the thread that owns
// it: on the page's thread a 20,000-update burst (~90 frames of 32 KiB)
// arrived at ~1 frame per 1.5 ms between animation frames and not at all
// during them (20-40 ms each), so receiving and rendering added up. Measured
// (2-core VM): with the grid hidden the burst took 224 ms through the page's
// thread, 172 ms (119-209) through a worker; drawn, interleaved runs went
// from a median of 58k to 69k updates/s. Frames go on in order, as text
// parsed and applied on this thread, except batches of grid colors, which the
// worker parses into numbers (GridColors): JSON.parse and its garbage then
// stay off this thread. Measured in 20 paired runs: median 60k -> 67k.

// Runs inside the worker, from its source text: it may use nothing from
// outside. Text frames are posted on as strings (or GridColors); events are
// objects.
function workerMain(): void {
  let socket: WebSocket | null = null;

  // A batch of nothing but grid setColor updates (the bulk of a heavy burst)
  // is parsed here, off the page's thread, into a GridColors (protocol.ts);
  // anything else goes on as text. Null: not such a batch.
  const gridColors = (text: string): GridColors | null => {
    if (!text.includes('"setColor"')) return null;
    let data: any;
    try {
      data = JSON.parse(text);
    } catch {
      return null;
    }
    const messages = data?.component === "global" && data.type === "batch" ? data.payload?.messages : null;
    if (!Array.isArray(messages) || messages.length < 2) return null;
    const ops = new Int32Array(messages.length * 4);
    const targets: string[] = [];
    const colors: (string | null)[] = [];
    const targetIndex = new Map<string, number>();
    const colorIndex = new Map<string | null, number>();
    for (let i = 0, k = 0; i < messages.length; i++, k += 4) {
      const m = messages[i];
      if (m?.component !== "grid" || m.type !== "update" || typeof m.target !== "string") return null;
      const payload = m.payload;
      const options = payload?.options;
      if (payload?.action !== "setColor" || typeof options !== "object" || options === null) return null;
      const { x, y } = options;
      // Int32 only (x | 0 === x): anything else takes the usual path, and its error.
      if (typeof x !== "number" || typeof y !== "number" || (x | 0) !== x || (y | 0) !== y) return null;
      let color = options.color;
      if (color === undefined) color = null;
      if (color !== null && typeof color !== "string") return null;
      let t = targetIndex.get(m.target);
      if (t === undefined) {
        t = targets.push(m.target) - 1;
        targetIndex.set(m.target, t);
      }
      let c = colorIndex.get(color);
      if (c === undefined) {
        c = colors.push(color) - 1;
        colorIndex.set(color, c);
      }
      ops[k] = t;
      ops[k + 1] = x;
      ops[k + 2] = y;
      ops[k + 3] = c;
    }
    return { gridColors: true, targets, colors, ops };
  };

  self.onmessage = (event: MessageEvent) => {
    const m = event.data as { op: string; url?: string; text?: string; code?: number; reason?: string };
    if (m.op === "open") {
      const ws = new WebSocket(m.url as string);
      socket = ws;
      ws.onopen = () => postMessage({ event: "open" });
      ws.onmessage = (e) => {
        if (typeof e.data !== "string") return;
        let run: GridColors | null = null;
        try {
          run = gridColors(e.data);
        } catch (error) {
          // A bug of ours: say so; the frame still goes on, as text, to the page.
          console.error("sidekick: the socket worker could not read a frame:", error);
        }
        // The worker's postMessage(message, transfer): the buffer moves, no copy.
        if (run) (postMessage as (message: unknown, transfer: Transferable[]) => void)(run, [run.ops.buffer]);
        else postMessage(e.data);
      };
      // An error is always followed by close, which does the work.
      ws.onclose = () => postMessage({ event: "close" });
    } else if (m.op === "send") {
      if (socket?.readyState === WebSocket.OPEN) socket.send(m.text as string);
    } else if (m.op === "close") {
      socket?.close(m.code, m.reason);
    }
  };
}

let workerUrl: string | null = null;

function workerSocket(url: string, events: SocketEvents): Socket {
  workerUrl ??= URL.createObjectURL(new Blob([`(${workerMain.toString()})()`], { type: "text/javascript" }));
  const worker = new Worker(workerUrl);
  let open = false;
  let closed = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    open = false;
    worker.terminate();
    events.close();
  };
  worker.onmessage = (event: MessageEvent) => {
    if (closed) return;
    const data = event.data as unknown;
    if (typeof data === "string") events.text(data);
    else if (isGridColors(data)) events.decoded(data);
    else if ((data as { event: string }).event === "open") {
      open = true;
      events.open();
    } else finish();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    if (closed) return;
    events.workerFailed();
    finish();
  };
  worker.postMessage({ op: "open", url });
  return {
    get isOpen() {
      return open;
    },
    send: (text) => worker.postMessage({ op: "send", text }),
    close: (code, reason) => worker.postMessage({ op: "close", code, reason }),
  };
}

export class Connection {
  private socket: Socket | null = null;
  private delay = FIRST_DELAY_MS;
  private timer: number | undefined;
  private stopped = false;
  private useWorker = typeof Worker === "function";

  constructor(
    private readonly url: string,
    private readonly events: ConnectionEvents,
  ) {}

  get isOpen(): boolean {
    return this.socket !== null && this.socket.isOpen;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Close for good (page going away). */
  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.socket?.close(1000, "page closed");
  }

  /** Send one JSON message; false when the socket is not open. */
  send(message: unknown): boolean {
    if (!this.isOpen || !this.socket) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private connect(): void {
    let socket: Socket;
    const events: SocketEvents = {
      open: () => {
        this.delay = FIRST_DELAY_MS;
        this.events.open();
      },
      text: (text) => {
        let data: unknown;
        try {
          data = JSON.parse(text);
        } catch {
          console.warn("sidekick: dropped a frame that is not JSON");
          return;
        }
        this.events.message(data);
      },
      decoded: (data) => this.events.message(data),
      close: () => {
        if (this.socket !== socket) return;
        this.socket = null;
        this.events.close();
        this.retry();
      },
      workerFailed: () => {
        console.warn("sidekick: socket worker failed; using the socket on the page");
        this.useWorker = false;
      },
    };
    try {
      socket = this.useWorker ? workerSocket(this.url, events) : directSocket(this.url, events);
    } catch (error) {
      if (this.useWorker) {
        // No workers here (e.g. a stricter Content-Security-Policy).
        this.useWorker = false;
        this.connect();
        return;
      }
      console.error("sidekick: cannot open WebSocket", error);
      this.retry();
      return;
    }
    this.socket = socket;
  }

  private retry(): void {
    if (this.stopped) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
  }
}
