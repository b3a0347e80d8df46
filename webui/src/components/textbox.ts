import { CommandError, text } from "../protocol";
import { Component, type Host } from "./base";

/** A single-line <input> with a submit button; Enter or the button sends `submit`. */
export class Textbox extends Component {
  readonly input: HTMLInputElement;

  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "textbox", host);
    this.input = document.createElement("input");
    this.input.type = "text";
    this.input.className = "sk-input";
    this.input.value = text(payload, "value");
    this.input.placeholder = text(payload, "placeholder");
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sk-submit";
    button.textContent = "Submit";
    button.addEventListener("click", () => this.submit());
    this.el.append(this.input, button);
  }

  private submit(): void {
    this.host.sendEvent(this, { event: "submit", value: this.input.value });
  }

  update(action: string, options: Record<string, unknown>): void {
    switch (action) {
      case "setValue":
        this.input.value = text(options, "value");
        break;
      case "setPlaceholder":
        this.input.placeholder = text(options, "placeholder");
        break;
      default:
        throw new CommandError(`unknown action '${action}'`);
    }
  }
}
