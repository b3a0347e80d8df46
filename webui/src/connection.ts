// The WebSocket to the page's own server: URL from the page's location,
// reconnection with a short backoff, forever.

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

export class Connection {
  private socket: WebSocket | null = null;
  private delay = FIRST_DELAY_MS;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly events: ConnectionEvents,
  ) {}

  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
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
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      console.error("sidekick: cannot open WebSocket", error);
      this.retry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = FIRST_DELAY_MS;
      this.events.open();
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        console.warn("sidekick: dropped a frame that is not JSON");
        return;
      }
      this.events.message(data);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.events.close();
      this.retry();
    });
    // An error is always followed by close, which does the work.
  }

  private retry(): void {
    if (this.stopped) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
  }
}
