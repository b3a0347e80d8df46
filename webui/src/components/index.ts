import type { Component, Host } from "./base";
import { Button } from "./button";
import { Canvas } from "./canvas";
import { Console } from "./console";
import { Grid } from "./grid";
import { Label } from "./label";
import { Layout } from "./layout";
import { Markdown } from "./markdown";
import { Textbox } from "./textbox";
import { Viz } from "./viz";

export { Component, Container, isContainer, type Host } from "./base";

type Factory = (id: string, host: Host, payload: Record<string, unknown>) => Component;

/** Component type (as on the wire) → constructor. */
export const FACTORIES: ReadonlyMap<string, Factory> = new Map<string, Factory>([
  ["label", (id, host, payload) => new Label(id, host, payload)],
  ["markdown", (id, host, payload) => new Markdown(id, host, payload)],
  ["button", (id, host, payload) => new Button(id, host, payload)],
  ["textbox", (id, host, payload) => new Textbox(id, host, payload)],
  ["console", (id, host, payload) => new Console(id, host, payload)],
  ["grid", (id, host, payload) => new Grid(id, host, payload)],
  ["canvas", (id, host, payload) => new Canvas(id, host, payload)],
  ["viz", (id, host) => new Viz(id, host)],
  ["row", (id, host) => new Layout(id, "row", host)],
  ["column", (id, host) => new Layout(id, "column", host)],
]);
