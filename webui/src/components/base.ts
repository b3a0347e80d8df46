// What every component shares: its outermost element (marked per the page
// contract), its place in the tree, and a way to talk back to the hero.

import type { JsonObject } from "../protocol";

/** What a component may do to the outside world. */
export interface Host {
  /** Send `{component, type:"event", src, payload}` to the hero. */
  sendEvent(component: Component, payload: JsonObject): void;
  /** Report a problem found outside the apply loop (e.g. during a user action). */
  sendError(component: Component, message: string): void;
  /** Run `task` once after the current batch of updates (for layout reads). */
  afterFlush(task: () => void): void;
}

export abstract class Component {
  /** The outermost element: carries data-sidekick-id and data-sidekick-type. */
  readonly el: HTMLElement;
  /** Id of the container this component sits in ("root" for the top level). */
  parentId = "root";

  constructor(
    readonly id: string,
    readonly type: string,
    protected readonly host: Host,
    tag = "div",
  ) {
    this.el = document.createElement(tag);
    this.el.className = `sk-component sk-${type}`;
    this.el.dataset.sidekickId = id;
    this.el.dataset.sidekickType = type;
  }

  /**
   * Apply one `update` action; throws CommandError when it cannot. `payload`
   * is the whole update payload, for components that carry more than options.
   */
  abstract update(action: string, options: Record<string, unknown>, payload: Record<string, unknown>): void;

  /** Release anything held outside the element (buffers, timers). */
  destroy(): void {}
}

/** A component that holds others (row, column). */
export abstract class Container extends Component {
  readonly children = new Set<string>();

  /** The element children are appended to. */
  get slot(): HTMLElement {
    return this.el;
  }
}

export function isContainer(component: Component): component is Container {
  return component instanceof Container;
}
