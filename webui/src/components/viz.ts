import { CommandError, isObject } from "../protocol";
import { Component, type Host } from "./base";

/** A representation node as the hero sends it. */
interface VizNode {
  id?: string;
  type: string;
  value: unknown;
  length?: number;
  observableTracked?: boolean;
}
interface VizPair {
  key: VizNode;
  value: VizNode;
}
type PathKey = string | number | boolean | null;

const FLASH_MS = 1200;
const OPEN_DEPTH = 2;

function asNode(value: unknown, what: string): VizNode {
  if (!isObject(value) || typeof value.type !== "string") {
    throw new CommandError(`${what} must be a representation node {id, type, value}`);
  }
  return value as unknown as VizNode;
}

function isPairList(node: VizNode): boolean {
  if (!Array.isArray(node.value)) return false;
  if (node.type === "dict") return true;
  const first = node.value[0];
  return isObject(first) && "key" in first && "value" in first && !("type" in first);
}

type Kind = "list" | "dict" | "object" | "leaf";
function kindOf(node: VizNode): Kind {
  if (Array.isArray(node.value)) return isPairList(node) ? "dict" : "list";
  if (isObject(node.value)) return "object";
  return "leaf";
}

function sameKey(node: VizNode, key: PathKey): boolean {
  if (node.value === key) return true;
  return node.value !== null && key !== null && String(node.value) === String(key);
}

function sameValue(a: VizNode, b: VizNode): boolean {
  if (a.id !== undefined && a.id === b.id) return true;
  return a.type === b.type && kindOf(a) === "leaf" && a.value === b.value;
}

function childCount(node: VizNode): number {
  const kind = kindOf(node);
  if (kind === "list" || kind === "dict") return (node.value as unknown[]).length;
  if (kind === "object") return Object.keys(node.value as object).length;
  return 0;
}

function keyFromPath(key: PathKey): VizNode {
  return { type: typeof key === "number" ? "int" : typeof key === "string" ? "str" : "NoneType", value: key };
}

function listIndex(node: VizNode, key: PathKey, allowEnd: boolean): number {
  const items = node.value as unknown[];
  if (typeof key !== "number" || !Number.isInteger(key)) throw new CommandError(`list index ${String(key)} is not an integer`);
  const index = key < 0 ? items.length + key : key;
  const limit = allowEnd ? items.length : items.length - 1;
  if (index < 0 || index > limit) throw new CommandError(`index ${key} is out of range`);
  return index;
}

/** One shown variable: its representation and its rendered tree. */
interface Variable {
  name: string;
  root: VizNode;
  el: HTMLElement;
}

/**
 * A collapsible tree per variable. Updates edit the stored representation,
 * then the variable's tree is redrawn; what just changed flashes briefly.
 * Open/closed state is kept by node id, which the hero keeps stable.
 */
export class Viz extends Component {
  private readonly variables = new Map<string, Variable>();
  private readonly open = new Map<string, boolean>();
  private readonly flashes = new Map<string, number>();
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;

  constructor(id: string, host: Host) {
    super(id, "viz", host);
    this.empty = document.createElement("div");
    this.empty.className = "sk-viz-empty";
    this.empty.textContent = "No variables shown";
    this.list = document.createElement("div");
    this.list.className = "sk-viz-list";
    this.el.append(this.empty, this.list);
    this.el.addEventListener("click", (event) => {
      const line = (event.target as Element | null)?.closest?.(".sk-viz-line.sk-viz-branch") as HTMLElement | null;
      if (!line || !this.el.contains(line)) return;
      const key = line.dataset.key ?? "";
      const variable = this.variables.get(line.dataset.variable ?? "");
      if (!variable) return;
      this.open.set(key, !(line.getAttribute("aria-expanded") === "true"));
      this.render(variable);
    });
  }

  update(action: string, options: Record<string, unknown>, payload: Record<string, unknown>): void {
    // The viz update payload is {action, variableName, options}.
    const name = payload.variableName;
    if (typeof name !== "string" || name === "") throw new CommandError("'variableName' must be a non-empty string");
    const rawPath = options.path ?? [];
    if (!Array.isArray(rawPath)) throw new CommandError("option 'path' must be a list");
    const path = rawPath as PathKey[];
    const length = typeof options.length === "number" ? options.length : undefined;

    if (action === "set" && path.length === 0) {
      const node = asNode(options.valueRepresentation, "valueRepresentation");
      if (length !== undefined && node.length === undefined) node.length = length;
      this.flash(node);
      const existing = this.variables.get(name);
      if (existing) {
        existing.root = node;
        this.render(existing);
      } else {
        const el = document.createElement("div");
        el.className = "sk-viz-variable";
        el.dataset.variable = name;
        const variable = { name, root: node, el };
        this.variables.set(name, variable);
        this.list.append(el);
        this.render(variable);
      }
      this.empty.hidden = true;
      return;
    }
    if (action === "removeVariable") {
      const variable = this.variables.get(name);
      if (!variable) throw new CommandError(`variable '${name}' is not shown`);
      variable.el.remove();
      this.variables.delete(name);
      this.empty.hidden = this.variables.size > 0;
      return;
    }

    const variable = this.variables.get(name);
    if (!variable) throw new CommandError(`variable '${name}' is not shown`);
    const container = this.mutate(variable, action, path, options);
    if (container && length !== undefined) container.length = length;
    else if (container) container.length = childCount(container);
    this.render(variable);
  }

  private resolve(root: VizNode, path: PathKey[]): VizNode {
    let node = root;
    for (const key of path) {
      switch (kindOf(node)) {
        case "list":
          node = (node.value as VizNode[])[listIndex(node, key, false)];
          break;
        case "dict": {
          const pair = (node.value as VizPair[]).find((p) => sameKey(p.key, key));
          if (!pair) throw new CommandError(`key ${JSON.stringify(key)} not found`);
          node = pair.value;
          break;
        }
        case "object": {
          const attrs = node.value as Record<string, VizNode>;
          if (!(String(key) in attrs)) throw new CommandError(`attribute ${String(key)} not found`);
          node = attrs[String(key)];
          break;
        }
        default:
          throw new CommandError(`path ${JSON.stringify(path)} goes through a ${node.type}`);
      }
    }
    return node;
  }

  /** Apply one observable mutation; returns the container whose length changed. */
  private mutate(variable: Variable, action: string, path: PathKey[], options: Record<string, unknown>): VizNode | null {
    const value = (): VizNode => asNode(options.valueRepresentation, "valueRepresentation");
    const parentOf = (): [VizNode, PathKey] => {
      if (path.length === 0) throw new CommandError(`'${action}' needs a non-empty path`);
      return [this.resolve(variable.root, path.slice(0, -1)), path[path.length - 1]];
    };
    switch (action) {
      case "set":
      case "setitem": {
        if (path.length === 0) {
          // The whole variable replaced (`set` on the root arrives earlier).
          variable.root = value();
          this.flash(variable.root);
          return null;
        }
        const [parent, key] = parentOf();
        const node = value();
        this.flash(node);
        switch (kindOf(parent)) {
          case "list": {
            const items = parent.value as VizNode[];
            items[listIndex(parent, key, true)] = node;
            return parent;
          }
          case "dict": {
            const pairs = parent.value as VizPair[];
            const pair = pairs.find((p) => sameKey(p.key, key));
            const keyNode = isObject(options.keyRepresentation)
              ? asNode(options.keyRepresentation, "keyRepresentation")
              : null;
            if (pair) pair.value = node;
            else pairs.push({ key: keyNode ?? keyFromPath(key), value: node });
            return parent;
          }
          case "object":
            (parent.value as Record<string, VizNode>)[String(key)] = node;
            return parent;
          default:
            if (Array.isArray(parent.value) || parent.value === null || parent.value === undefined) {
              // An empty container whose kind we cannot tell: treat as a dict.
              parent.value = [{ key: keyFromPath(key), value: node }];
              return parent;
            }
            throw new CommandError(`cannot set an item in a ${parent.type}`);
        }
      }
      case "delitem":
      case "pop":
      case "remove": {
        let [parent, key] = parentOf();
        if (action !== "delitem" && kindOf(parent) !== "list") {
          // Path names the list itself: pop() without index, remove(value).
          parent = this.resolve(variable.root, path);
          key = action === "pop" ? -1 : null;
        }
        const kind = kindOf(parent);
        if (kind === "list") {
          const items = parent.value as VizNode[];
          let index: number;
          if (key === null && action === "remove") {
            const target = value();
            index = items.findIndex((item) => sameValue(item, target));
            if (index < 0) throw new CommandError("value to remove not found");
          } else {
            index = listIndex(parent, key, false);
          }
          items.splice(index, 1);
        } else if (kind === "dict") {
          const pairs = parent.value as VizPair[];
          const index = pairs.findIndex((p) => sameKey(p.key, key));
          if (index < 0) throw new CommandError(`key ${JSON.stringify(key)} not found`);
          pairs.splice(index, 1);
        } else if (kind === "object") {
          delete (parent.value as Record<string, VizNode>)[String(key)];
        } else {
          throw new CommandError(`cannot delete from a ${parent.type}`);
        }
        this.flash(parent);
        return parent;
      }
      case "append":
      case "insert": {
        const node = value();
        let list: VizNode;
        let index: number;
        const last = path[path.length - 1];
        const parent = path.length > 0 ? this.resolve(variable.root, path.slice(0, -1)) : null;
        if (parent && kindOf(parent) === "list" && typeof last === "number") {
          // Path ends with the index the item now has (the reference hero's form).
          list = parent;
          const items = parent.value as VizNode[];
          index = action === "append" ? items.length : Math.max(0, Math.min(items.length, last < 0 ? items.length + last : last));
          if (action === "append" && last !== items.length) {
            const target = this.resolve(variable.root, path);
            if (kindOf(target) === "list" || (Array.isArray(target.value) && target.value.length === 0)) {
              list = target;
              index = (target.value as VizNode[]).length;
            }
          }
        } else {
          list = this.resolve(variable.root, path);
          if (!Array.isArray(list.value)) throw new CommandError(`cannot ${action} into a ${list.type}`);
          index = (list.value as VizNode[]).length;
        }
        (list.value as VizNode[]).splice(index, 0, node);
        this.flash(node);
        return list;
      }
      case "clear": {
        const target = this.resolve(variable.root, path);
        const replacement = isObject(options.valueRepresentation) ? asNode(options.valueRepresentation, "valueRepresentation") : null;
        if (replacement && kindOf(replacement) !== "leaf") {
          Object.assign(target, replacement);
        } else if (Array.isArray(target.value)) {
          target.value = [];
        } else if (isObject(target.value)) {
          target.value = {};
        } else {
          throw new CommandError(`cannot clear a ${target.type}`);
        }
        this.flash(target);
        return target;
      }
      case "add_set":
      case "discard_set": {
        const set = this.resolve(variable.root, path);
        if (!Array.isArray(set.value)) throw new CommandError(`'${action}' needs a set, found ${set.type}`);
        const items = set.value as VizNode[];
        const node = isObject(options.valueRepresentation) ? asNode(options.valueRepresentation, "valueRepresentation") : null;
        if (action === "add_set") {
          if (!node) throw new CommandError("'add_set' needs valueRepresentation");
          if (!items.some((item) => sameValue(item, node))) items.push(node);
          this.flash(node);
        } else {
          const index = node ? items.findIndex((item) => sameValue(item, node)) : -1;
          if (index >= 0) items.splice(index, 1);
          this.flash(set);
        }
        return set;
      }
      default:
        throw new CommandError(`unknown action '${action}'`);
    }
  }

  private flash(node: VizNode): void {
    if (node.id !== undefined) this.flashes.set(node.id, performance.now() + FLASH_MS);
  }

  private render(variable: Variable): void {
    const now = performance.now();
    for (const [id, until] of this.flashes) if (until <= now) this.flashes.delete(id);
    variable.el.replaceChildren(this.renderNode(variable, variable.root, variable.name, "name", 0, variable.name, now));
  }

  private renderNode(
    variable: Variable,
    node: VizNode,
    label: string,
    labelKind: "name" | "index" | "key" | "attr",
    depth: number,
    pathKey: string,
    now: number,
  ): HTMLElement {
    const el = document.createElement("div");
    el.className = "sk-viz-node";
    const key = node.id ?? pathKey;
    if (node.id !== undefined) el.dataset.nodeId = node.id;
    const until = node.id !== undefined ? this.flashes.get(node.id) : undefined;
    if (until !== undefined && until > now) {
      el.classList.add("sk-viz-flash");
      el.style.animationDelay = `${-Math.round(FLASH_MS - (until - now))}ms`;
    }

    const line = document.createElement("div");
    line.className = "sk-viz-line";
    line.dataset.key = key;
    line.dataset.variable = variable.name;
    const kind = kindOf(node);
    const branch = kind !== "leaf";
    const isOpen = branch && (this.open.get(key) ?? depth < OPEN_DEPTH);

    const toggle = document.createElement("span");
    toggle.className = "sk-viz-toggle";
    toggle.textContent = branch ? (isOpen ? "▾" : "▸") : "";
    const name = document.createElement("span");
    name.className = `sk-viz-label sk-viz-${labelKind}`;
    name.textContent = label;
    const sep = document.createElement("span");
    sep.className = "sk-viz-sep";
    sep.textContent = labelKind === "name" ? " = " : ": ";
    const summary = document.createElement("span");
    summary.className = "sk-viz-value";
    const type = document.createElement("span");
    type.className = "sk-viz-type";
    type.textContent = node.type;
    if (node.observableTracked) type.textContent += " · observed";

    if (branch) {
      line.classList.add("sk-viz-branch");
      line.setAttribute("aria-expanded", String(isOpen));
      const count = node.length ?? childCount(node);
      summary.textContent = kind === "object" ? "" : `${count} item${count === 1 ? "" : "s"}`;
    } else {
      summary.textContent = formatLeaf(node);
      summary.classList.add(`sk-viz-t-${node.type.replace(/[^a-z_]/gi, "")}`);
    }
    line.append(toggle, name, sep, summary, type);
    el.append(line);

    if (branch && isOpen) {
      const children = document.createElement("div");
      children.className = "sk-viz-children";
      const sub = `${pathKey}\u0000`;
      if (kind === "list") {
        (node.value as VizNode[]).forEach((child, i) => {
          if (isObject(child)) children.append(this.renderNode(variable, child, String(i), "index", depth + 1, sub + i, now));
        });
      } else if (kind === "dict") {
        (node.value as VizPair[]).forEach((pair, i) => {
          if (!isObject(pair) || !isObject(pair.value)) return;
          const keyText = isObject(pair.key) ? formatLeaf(pair.key) : "?";
          children.append(this.renderNode(variable, pair.value, keyText, "key", depth + 1, sub + i, now));
        });
      } else {
        for (const [attr, child] of Object.entries(node.value as Record<string, VizNode>)) {
          if (isObject(child)) children.append(this.renderNode(variable, child, attr, "attr", depth + 1, sub + attr, now));
        }
      }
      el.append(children);
    }
    return el;
  }
}

function formatLeaf(node: VizNode): string {
  const value = node.value;
  switch (node.type) {
    case "str":
      return typeof value === "string" ? JSON.stringify(value) : String(value);
    case "NoneType":
      return "None";
    case "bool":
      return value === true ? "True" : value === false ? "False" : String(value);
    default:
      if (value === null || value === undefined) return node.type === "NoneType" ? "None" : "";
      if (typeof value === "object") return JSON.stringify(value);
      return String(value);
  }
}
