// linli-testhost: stands in for the Tauri shell in a plain browser (test infrastructure only).
//
// Gives the page the two functions ui/src/ipc.rs uses, with Tauri's behaviour (and answers the
// "ready" call, which in the app only makes the shell log the start-up time):
// - __TAURI__.core.invoke("rpc", { request }) POSTs the request to /rpc, where the test host
//   runs the same linli_core::Core::handle the shell runs. It resolves with the Response, and
//   rejects with the ApiError object (HTTP 422) or, for failures of the host itself, a string.
// - __TAURI__.event.listen("linli://event", cb) hears core events over server-sent events from
//   /events and calls cb({ event, id, payload }); it resolves with an unlisten function.
// A file, not an inline script, so a strict content security policy applies unchanged.
(function () {
  "use strict";
  if (window.__TAURI__) {
    return; // a real shell is present: never shadow it
  }

  async function invoke(cmd, args) {
    if (cmd === "ready") {
      return null; // the shell logs start-up time; a browser has nothing to log it to
    }
    if (cmd !== "rpc") {
      throw "command " + cmd + " not found";
    }
    let response;
    try {
      response = await fetch("/rpc", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args && args.request),
      });
    } catch (e) {
      throw "linli-testhost unreachable: " + e;
    }
    if (response.status === 200) {
      return response.json();
    }
    if (response.status === 422) {
      throw await response.json();
    }
    throw await response.text();
  }

  let source = null;
  let nextId = 1;
  const listeners = new Map(); // id -> { name, cb }

  function connect() {
    if (source) {
      return;
    }
    // EventSource reconnects by itself when the host restarts the stream.
    source = new EventSource("/events");
    source.onmessage = function (message) {
      let payload;
      try {
        payload = JSON.parse(message.data);
      } catch (e) {
        console.warn("linli-testhost: unreadable event", message.data);
        return;
      }
      for (const [id, listener] of listeners) {
        if (listener.name === "linli://event") {
          listener.cb({ event: listener.name, id: id, payload: payload });
        }
      }
    };
  }

  async function listen(name, cb) {
    const id = nextId++;
    listeners.set(id, { name: name, cb: cb });
    connect();
    return function unlisten() {
      listeners.delete(id);
    };
  }

  window.__TAURI__ = Object.freeze({
    core: Object.freeze({ invoke: invoke }),
    event: Object.freeze({ listen: listen }),
  });
})();
