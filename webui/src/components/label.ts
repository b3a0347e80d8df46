import { CommandError, text } from "../protocol";
import { Component, type Host } from "./base";

/** Plain text; its text content is the label's text. */
export class Label extends Component {
  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "label", host);
    this.el.textContent = text(payload, "text");
  }

  update(action: string, options: Record<string, unknown>): void {
    if (action !== "setText") throw new CommandError(`unknown action '${action}'`);
    this.el.textContent = text(options, "text");
  }
}
