import DOMPurify from "dompurify";
import { Marked } from "marked";
import { CommandError, text } from "../protocol";
import { Component, type Host } from "./base";

const parser = new Marked({ gfm: true, breaks: false, async: false });

// Everything the parser produces goes through DOMPurify before it reaches the
// page: no scripts, no event handler attributes, no javascript: URLs, and no
// form controls or styles that could pass for the UI's own.
const SANITIZE = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
  FORBID_ATTR: ["style", "srcset", "action", "formaction"],
  ALLOW_DATA_ATTR: false,
  RETURN_DOM_FRAGMENT: true as const,
};

let hooked = false;
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node instanceof HTMLAnchorElement && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
}

export function renderMarkdown(source: string): DocumentFragment {
  installHooks();
  const html = parser.parse(source) as string;
  return DOMPurify.sanitize(html, SANITIZE) as unknown as DocumentFragment;
}

/** Rendered, sanitised Markdown; its text content is the rendered text. */
export class Markdown extends Component {
  constructor(id: string, host: Host, payload: Record<string, unknown>) {
    super(id, "markdown", host);
    this.render(text(payload, "text"));
  }

  private render(source: string): void {
    this.el.replaceChildren(renderMarkdown(source));
  }

  update(action: string, options: Record<string, unknown>): void {
    if (action !== "setText") throw new CommandError(`unknown action '${action}'`);
    this.render(text(options, "text"));
  }
}
