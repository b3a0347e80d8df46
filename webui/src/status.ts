// The header: connection state and which script the page shows.

export type Status = "connecting" | "connected" | "waiting" | "disconnected";

export interface StatusView {
  status: Status;
  /** The attached (or last attached) script's name or version, if any. */
  script: string | null;
  /** A hero was attached and went away: its picture is still shown. */
  ended: boolean;
}

const TEXT: Record<Status, string> = {
  connecting: "Connecting…",
  connected: "Running",
  waiting: "Waiting for a script…",
  disconnected: "Disconnected, reconnecting…",
};

export class StatusBar {
  readonly el: HTMLElement;
  private readonly dot: HTMLElement;
  private readonly text: HTMLElement;
  private readonly script: HTMLElement;
  private last = "";

  constructor() {
    this.el = document.createElement("header");
    this.el.className = "sk-header";
    const brand = document.createElement("span");
    brand.className = "sk-brand";
    brand.textContent = "Sidekick";
    this.dot = document.createElement("span");
    this.dot.className = "sk-dot";
    this.dot.setAttribute("aria-hidden", "true");
    this.text = document.createElement("span");
    this.text.className = "sk-status-text";
    this.text.dataset.sidekickRole = "status";
    this.text.setAttribute("role", "status");
    this.script = document.createElement("span");
    this.script.className = "sk-script";
    this.script.dataset.sidekickRole = "script";
    const state = document.createElement("span");
    state.className = "sk-state";
    state.append(this.dot, this.text);
    this.el.append(brand, state, this.script);
  }

  show(view: StatusView): void {
    const key = `${view.status}\u0000${view.script ?? ""}\u0000${view.ended}`;
    if (key === this.last) return;
    this.last = key;
    const root = document.documentElement;
    root.dataset.sidekickStatus = view.status;
    root.classList.toggle("sk-ended", view.ended);
    this.dot.className = `sk-dot sk-dot-${view.ended && view.status === "waiting" ? "ended" : view.status}`;
    this.text.textContent = view.ended && view.status === "waiting" ? "Script ended" : TEXT[view.status];
    this.script.textContent = view.script ?? "";
    this.script.hidden = !view.script;
    document.title = view.script ? `${view.script} · Sidekick` : "Sidekick";
  }
}
