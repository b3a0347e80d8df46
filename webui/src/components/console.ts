import { CommandError, text } from "../protocol";
import { Component, type Host } from "./base";

/** Scrolling text output with an optional input line that sends `submit`. */
export class Console extends Component {
  readonly output: HTMLElement;
  input: HTMLInputElement | null = null;
  /** Follow new output while the reader is at the bottom. */
  private follow = true;
  private scrollQueued = false;

  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "console", host);
    this.output = document.createElement("pre");
    this.output.className = "sk-console-output";
    this.output.dataset.sidekickRole = "output";
    this.el.append(this.output);
    this.output.addEventListener("scroll", () => {
      const out = this.output;
      this.follow = out.scrollHeight - out.scrollTop - out.clientHeight < 8;
    });
    const initial = text(payload, "text");
    if (initial) this.output.append(initial);
    if (payload.showInput === true) this.addInput();
  }

  private addInput(): void {
    const line = document.createElement("div");
    line.className = "sk-console-input";
    const input = document.createElement("input");
    input.type = "text";
    input.className = "sk-input";
    input.placeholder = "Type here and press Enter";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sk-submit";
    button.textContent = "Send";
    const submit = (): void => {
      const value = input.value;
      input.value = "";
      this.host.sendEvent(this, { event: "submit", value });
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    button.addEventListener("click", submit);
    line.append(input, button);
    this.el.append(line);
    this.input = input;
  }

  update(action: string, options: Record<string, unknown>): void {
    switch (action) {
      case "append":
        this.output.append(text(options, "text"));
        // Scroll once per flush, not per append: reading layout here would
        // force a reflow for every line.
        if (this.follow && !this.scrollQueued) {
          this.scrollQueued = true;
          this.host.afterFlush(() => {
            this.scrollQueued = false;
            this.output.scrollTop = this.output.scrollHeight;
          });
        }
        break;
      case "clear":
        this.output.textContent = "";
        break;
      default:
        throw new CommandError(`unknown action '${action}'`);
    }
  }
}
