// sidekick's Pyodide host side: everything that works in any JS realm.
// Node-only helpers are in "./node.js"; the browser worker is "./worker.js"
// and its page side "./page.js".

export { SidekickBridge, PeerTracker, parseAnnounce, offlineAnnounce } from "./bridge.js";
export { installArchive, installFiles, invalidateCaches, runScript, sitePackages } from "./install.js";
