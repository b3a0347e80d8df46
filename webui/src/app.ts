// Application state: the component tree, the per-frame apply queue, the
// hero peers seen through announces, and the messages sent back.

import { FACTORIES, isContainer, type Component, type Host } from "./components";
import { Grid } from "./components/grid";
import { CommandError, envelope, type GridColors, instanceId, isGridColors, isObject, type JsonObject } from "./protocol";
import { type Status, StatusBar } from "./status";

const FALLBACK_FLUSH_MS = 100;
const MAX_BATCH_DEPTH = 4;

/** Anything children can be placed in: the root column or a row/column. */
interface Parent {
  readonly children: Set<string>;
  readonly slot: HTMLElement;
}

interface Hero {
  label: string | null;
}

export class App implements Host {
  private readonly components = new Map<string, Component>();
  private readonly root: Parent;
  private queue: unknown[] = [];
  private scheduled = false;
  private rafHandle = 0;
  private timeoutHandle: number | undefined;
  private afterTasks: (() => void)[] = [];
  private readonly heroes = new Map<string, Hero>();
  private lastHeroLabel: string | null = null;
  private hadHero = false;
  private socketOpen = false;
  private everOpened = false;

  constructor(
    rootEl: HTMLElement,
    private readonly statusBar: StatusBar,
    private readonly send: (message: JsonObject) => boolean,
  ) {
    this.root = { children: new Set(), slot: rootEl };
    this.showStatus();
  }

  // --- connection state ---------------------------------------------------

  socketOpened(): void {
    this.socketOpen = true;
    this.everOpened = true;
    this.showStatus();
  }

  socketClosed(): void {
    this.socketOpen = false;
    // The relay re-sends the announces of peers still online on reconnect.
    this.heroes.clear();
    this.showStatus();
  }

  private get status(): Status {
    if (!this.socketOpen) return this.everOpened ? "disconnected" : "connecting";
    return this.heroes.size > 0 ? "connected" : "waiting";
  }

  private showStatus(): void {
    let label: string | null = null;
    for (const hero of this.heroes.values()) label = hero.label ?? label;
    if (label) this.lastHeroLabel = label;
    this.statusBar.show({
      status: this.status,
      script: this.heroes.size > 0 ? label : this.hadHero ? this.lastHeroLabel : null,
      ended: this.hadHero && this.heroes.size === 0,
    });
  }

  // --- the apply queue ----------------------------------------------------

  /** Queue one decoded frame; it is applied with the next animation frame. */
  receive(message: unknown): void {
    this.queue.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    this.rafHandle = requestAnimationFrame(() => this.flush());
    // Hidden tabs get no animation frames; do not let updates pile up there.
    this.timeoutHandle = window.setTimeout(() => this.flush(), FALLBACK_FLUSH_MS);
  }

  afterFlush(task: () => void): void {
    this.afterTasks.push(task);
  }

  private flush(): void {
    cancelAnimationFrame(this.rafHandle);
    window.clearTimeout(this.timeoutHandle);
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (let i = 0; i < queue.length; i++) {
      const message = queue[i];
      if (isGridColors(message)) this.applyGridColors(message);
      else this.applySafely(message, 0);
    }
    const tasks = this.afterTasks;
    this.afterTasks = [];
    for (const task of tasks) {
      try {
        task();
      } catch (error) {
        console.error("sidekick:", error);
      }
    }
    this.showStatus();
  }

  /** The updates of the batch a GridColors stands for, each applied (or refused) as applySafely would. */
  private applyGridColors(run: GridColors): void {
    const { ops, targets, colors } = run;
    for (let k = 0; k < ops.length; k += 4) {
      const target = targets[ops[k]];
      const x = ops[k + 1];
      const y = ops[k + 2];
      const color = colors[ops[k + 3]];
      const grid = this.components.get(target);
      if (!(grid instanceof Grid)) {
        // Not a grid (or none at all): the usual path says what is wrong.
        const options = { x, y, color };
        this.applySafely({ component: "grid", type: "update", target, payload: { action: "setColor", options } }, 1);
        continue;
      }
      try {
        grid.setCellColor(x, y, color);
      } catch (error) {
        this.reportFailure("grid", target, error);
      }
    }
  }

  private applySafely(message: unknown, depth: number): void {
    try {
      this.apply(message, depth);
    } catch (error) {
      // Never let one message stop the others; tell the hero what failed.
      const m = isObject(message) ? message : {};
      const component = typeof m.component === "string" ? m.component : "global";
      this.reportFailure(component, instanceId(m.target) ?? undefined, error);
    }
  }

  private reportFailure(component: string, target: string | undefined, error: unknown): void {
    const text = error instanceof CommandError ? error.message : `internal error: ${String(error)}`;
    if (!(error instanceof CommandError)) console.error("sidekick:", error);
    this.sendErrorRaw(component, target, text);
  }

  private apply(message: unknown, depth: number): void {
    if (!isObject(message) || typeof message.component !== "string" || typeof message.type !== "string") {
      console.warn("sidekick: dropped a message without component/type", message);
      return;
    }
    const { component, type } = message;
    const payload = isObject(message.payload) ? message.payload : {};

    if (component === "system") {
      if (type === "announce") this.announce(payload);
      return;
    }
    if (component === "global") {
      if (type === "clearAll") this.clearAll();
      else if (type === "batch") this.batch(payload, depth);
      else throw new CommandError(`unknown global message '${type}'`);
      return;
    }

    const id = instanceId(message.target);
    if (id === null) throw new CommandError(`'${type}' for ${component} has no target`);
    switch (type) {
      case "spawn":
        this.spawn(component, id, payload);
        break;
      case "update":
        this.update(component, id, payload);
        break;
      case "remove":
        this.remove(this.find(component, id));
        break;
      default:
        throw new CommandError(`unknown message type '${type}'`);
    }
  }

  private batch(payload: Record<string, unknown>, depth: number): void {
    if (!Array.isArray(payload.messages)) throw new CommandError("batch payload needs 'messages'");
    if (depth >= MAX_BATCH_DEPTH) throw new CommandError("batches nested too deeply");
    const messages = payload.messages;
    for (let i = 0; i < messages.length; i++) this.applySafely(messages[i], depth + 1);
  }

  private announce(payload: Record<string, unknown>): void {
    if (payload.role !== "hero" || typeof payload.peerId !== "string") return;
    if (payload.status === "online") {
      const script = typeof payload.script === "string" && payload.script ? payload.script : null;
      const version = typeof payload.version === "string" && payload.version ? `sidekick ${payload.version}` : null;
      // Re-insert so the most recent hero is the one shown.
      this.heroes.delete(payload.peerId);
      this.heroes.set(payload.peerId, { label: script ?? version });
      this.hadHero = true;
    } else if (payload.status === "offline") {
      this.heroes.delete(payload.peerId);
    }
  }

  // --- the component tree -------------------------------------------------

  private find(type: string, id: string): Component {
    const component = this.components.get(id);
    if (!component) throw new CommandError(`no ${type} '${id}' exists`);
    return component;
  }

  private parentOf(id: string): Parent | null {
    if (id === "root") return this.root;
    const component = this.components.get(id);
    return component && isContainer(component) ? component : null;
  }

  /** The container a `parent` field names (absent or null: the root), or null when there is none. */
  private findParent(value: unknown): { id: string; parent: Parent } | null {
    const id = value === undefined || value === null ? "root" : instanceId(value);
    const parent = id === null ? null : this.parentOf(id);
    return parent && id !== null ? { id, parent } : null;
  }

  private spawn(type: string, id: string, payload: Record<string, unknown>): void {
    if (this.components.has(id) || id === "root") throw new CommandError(`'${id}' already exists`);
    const factory = FACTORIES.get(type);
    if (!factory) throw new CommandError(`unknown component type '${type}'`);
    const component = factory(id, this, payload);
    this.components.set(id, component);
    const found = this.findParent(payload.parent);
    if (found) {
      this.attach(component, found.id, found.parent, null);
    } else {
      // Keep it visible rather than lose it, and say why it is at the top.
      this.attach(component, "root", this.root, null);
      throw new CommandError(`parent '${String(payload.parent)}' not found or not a container; placed at the top level`);
    }
  }

  private update(type: string, id: string, payload: Record<string, unknown>): void {
    const component = this.find(type, id);
    const action = payload.action;
    if (typeof action !== "string") throw new CommandError("update payload needs 'action'");
    const options = isObject(payload.options) ? payload.options : {};
    if (action === "changeParent") this.changeParent(component, options);
    else component.update(action, options, payload);
  }

  private attach(component: Component, parentId: string, parent: Parent, before: Component | null): void {
    component.parentId = parentId;
    parent.children.add(component.id);
    if (before) parent.slot.insertBefore(component.el, before.el);
    else parent.slot.append(component.el);
  }

  private detach(component: Component): void {
    this.parentOf(component.parentId)?.children.delete(component.id);
  }

  private changeParent(component: Component, options: Record<string, unknown>): void {
    const found = this.findParent(options.parent);
    if (!found) throw new CommandError(`parent '${String(options.parent)}' not found or not a container`);
    const { id: parentId, parent } = found;
    // A container cannot move into itself or its own descendants.
    for (let at: string | undefined = parentId; at && at !== "root"; at = this.components.get(at)?.parentId) {
      if (at === component.id) throw new CommandError(`cannot move '${component.id}' into itself`);
    }
    let before: Component | null = null;
    let missing: string | null = null;
    const beforeId = options.insertBefore === undefined || options.insertBefore === null ? null : instanceId(options.insertBefore);
    if (beforeId !== null && beforeId !== component.id) {
      const candidate = this.components.get(beforeId);
      if (candidate && candidate.parentId === parentId) before = candidate;
      else missing = beforeId;
    }
    this.detach(component);
    this.attach(component, parentId, parent, before);
    if (missing !== null) throw new CommandError(`insertBefore '${missing}' is not in '${parentId}'; placed last`);
  }

  private remove(component: Component): void {
    if (isContainer(component)) {
      for (const childId of [...component.children]) {
        const child = this.components.get(childId);
        if (child) this.remove(child);
      }
    }
    this.detach(component);
    this.components.delete(component.id);
    component.el.remove();
    component.destroy();
  }

  private clearAll(): void {
    for (const component of this.components.values()) component.destroy();
    this.components.clear();
    this.root.children.clear();
    this.root.slot.replaceChildren();
  }

  // --- messages to the hero -----------------------------------------------

  sendEvent(component: Component, payload: JsonObject): void {
    if (!this.send(envelope(component.type, "event", component.id, payload))) {
      console.warn("sidekick: not connected; event dropped", payload);
    }
  }

  sendError(component: Component, message: string): void {
    this.sendErrorRaw(component.type, component.id, message);
  }

  private sendErrorRaw(component: string, src: string | undefined, message: string): void {
    console.warn(`sidekick: ${component}${src ? ` '${src}'` : ""}: ${message}`);
    this.send(envelope(component, "error", src, { message }));
  }
}
