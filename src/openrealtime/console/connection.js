// The connection: ask the console endpoint how to connect, then one Realtime WebSocket.

const SESSION_ENDPOINT = "/console/session";

export class ConnectionError extends Error {
  constructor(message, code = null) {
    super(message);
    this.code = code;
  }
}

// What the console endpoint says: the models, and a client secret when the server has keys.
export async function connectionInfo(token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  let response;
  try {
    response = await fetch(SESSION_ENDPOINT, { method: "POST", headers });
  } catch (error) {
    throw new ConnectionError(`cannot reach the server (${error.message})`);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = body.error || {};
    const message = detail.message || `${SESSION_ENDPOINT} answered HTTP ${response.status}`;
    throw new ConnectionError(message, detail.code || `http_${response.status}`);
  }
  return body;
}

export class Connection {
  // handlers: {open(), event(event), sent(event), close(code, reason)}
  constructor(handlers) {
    this.handlers = handlers;
    this.socket = null;
    this.sequence = 0;
  }

  open(model, secret) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/v1/realtime?model=${encodeURIComponent(model)}`;
    // A browser cannot set headers: the secret travels as a subprotocol, next to "realtime",
    // which the server selects (offering only the key-bearing one fails in Chromium).
    const protocols = secret ? ["realtime", `openai-insecure-api-key.${secret}`] : ["realtime"];
    const socket = new WebSocket(url, protocols);
    this.socket = socket;
    socket.onopen = () => this.handlers.open();
    socket.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        event = { type: "console.unreadable_frame", text: String(message.data).slice(0, 200) };
      }
      this.handlers.event(event);
    };
    socket.onclose = (close) => {
      if (this.socket === socket) this.socket = null;
      this.handlers.close(close.code, close.reason);
    };
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  // Sends a client event with a fresh event_id; returns it, or null when not connected.
  send(event) {
    if (!this.isOpen) return null;
    const sent = { type: event.type, event_id: `evt_console_${++this.sequence}`, ...event };
    this.socket.send(JSON.stringify(sent));
    this.handlers.sent(sent);
    return sent;
  }

  close() {
    if (this.socket) this.socket.close(1000, "closed by the console");
  }
}
