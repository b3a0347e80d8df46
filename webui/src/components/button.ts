import { CommandError, text } from "../protocol";
import { Component, type Host } from "./base";

/** A real <button>; a click sends `{event:"click"}`. */
export class Button extends Component {
  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "button", host, "button");
    const button = this.el as HTMLButtonElement;
    button.type = "button";
    button.textContent = text(payload, "text");
    button.addEventListener("click", () => this.host.sendEvent(this, { event: "click" }));
  }

  update(action: string, options: Record<string, unknown>): void {
    if (action !== "setText") throw new CommandError(`unknown action '${action}'`);
    this.el.textContent = text(options, "text");
  }
}
