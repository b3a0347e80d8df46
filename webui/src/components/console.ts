import { CommandError, text } from "../protocol";
import { Component, type Host } from "./base";

/**
 * Characters of output kept, as the Python side keeps for a replay
 * (sidekick.components.console.MAX_SCROLLBACK): a script that prints forever
 * must not grow the page without bound. Trimmed once half as much again has
 * piled up, so the cost is paid once per 100,000 characters, not per line.
 */
export const MAX_SCROLLBACK = 200_000;
const TRIM_AT = MAX_SCROLLBACK * 1.5;

/** Scrolling text output with an optional input line that sends `submit`. */
export class Console extends Component {
  readonly output: HTMLElement;
  input: HTMLInputElement | null = null;
  /** Follow new output while the reader is at the bottom. */
  private follow = true;
  private scrollQueued = false;
  /** Characters in `output` (its text nodes' lengths, kept as they are added). */
  private size = 0;

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
    if (initial) this.appendText(initial);
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
        this.appendText(text(options, "text"));
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
        this.size = 0;
        break;
      default:
        throw new CommandError(`unknown action '${action}'`);
    }
  }

  private appendText(value: string): void {
    this.output.append(value);
    this.size += value.length;
    if (this.size > TRIM_AT) this.trim();
  }

  /**
   * Drop the oldest output until MAX_SCROLLBACK characters are left. A reader
   * scrolled up keeps their place: the browser's scroll anchoring moves the
   * scroll position with the text nodes (so they must be removed, not rebuilt).
   */
  private trim(): void {
    let excess = this.size - MAX_SCROLLBACK;
    const out = this.output;
    while (excess > 0 && out.firstChild) {
      const node = out.firstChild as Text; // only text is ever appended
      const length = node.data.length;
      if (length <= excess) {
        node.remove();
        excess -= length;
        this.size -= length;
      } else {
        // Not between the two halves of a surrogate pair (UTF-16 lengths).
        const next = node.data.charCodeAt(excess);
        if (next >= 0xdc00 && next <= 0xdfff) excess += 1;
        node.deleteData(0, excess);
        this.size -= excess;
        excess = 0;
      }
    }
  }
}
