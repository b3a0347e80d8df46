// Entry point: build the page, connect, announce, apply what arrives.

import { App } from "./app";
import { Connection, socketUrl } from "./connection";
import type { JsonObject } from "./protocol";
import { StatusBar } from "./status";
import "./styles.css";


function randomPeerId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `sidekick-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function start(): void {
  const statusBar = new StatusBar();
  const main = document.createElement("main");
  main.className = "sk-root";
  main.dataset.sidekickRole = "root";
  document.body.replaceChildren(statusBar.el, main);

  const peerId = randomPeerId();
  const announce = (status: "online" | "offline"): JsonObject => ({
    id: 0,
    component: "system",
    type: "announce",
    payload: {
      peerId,
      role: "sidekick",
      status,
      version: __UI_VERSION__,
      timestamp: Date.now(),
      capabilities: ["batch"],
    },
  });

  // `connection` is assigned before any callback can run.
  let connection: Connection;
  const app = new App(main, statusBar, (message) => connection.send(message));
  connection = new Connection(socketUrl(window.location), {
    open() {
      connection.send(announce("online"));
      app.socketOpened();
    },
    close() {
      app.socketClosed();
    },
    message(data) {
      app.receive(data);
    },
  });

  let leaving = false;
  const leave = (): void => {
    if (leaving) return;
    leaving = true;
    connection.send(announce("offline"));
    connection.stop();
  };
  window.addEventListener("pagehide", leave);
  window.addEventListener("beforeunload", leave);
  // A page restored from the back/forward cache comes back to life.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && leaving) {
      leaving = false;
      connection.start();
    }
  });

  connection.start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
