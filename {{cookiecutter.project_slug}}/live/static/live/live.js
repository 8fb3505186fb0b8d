// Shows login, logout and sign-up events as they happen. Connects with wss:// on an https://
// page (ws:// otherwise), shows the connection's state, and after a drop reconnects
// with exponential backoff (1 s doubling to 30 s, plus jitter, so that a restarted
// server is not hit by every browser at once).
(function () {
  const status = document.getElementById("live-status");
  const events = document.getElementById("live-events");
  const empty = document.getElementById("live-empty");
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const url = scheme + window.location.host + events.dataset.url;
  const firstDelay = 1000;
  const maxDelay = 30000;
  // "signup" comes from the background worker, in projects that have one.
  const VERBS = { login: "logged in", logout: "logged out", signup: "signed up" };
  let delay = firstDelay;

  function show(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function append(event) {
    const item = document.createElement("li");
    const verb = VERBS[event.event] || event.event;
    item.textContent = (event.username || "Someone") + " " + verb;
    const time = document.createElement("time");
    time.dateTime = event.at;
    time.textContent = new Date(event.at).toLocaleTimeString();
    item.appendChild(time);
    events.prepend(item);
    empty.hidden = true;
  }

  function connect() {
    show("connecting", "connecting…");
    const socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      delay = firstDelay;
      show("open", "live");
    });
    socket.addEventListener("message", function (message) {
      append(JSON.parse(message.data));
    });
    socket.addEventListener("close", function () {
      const wait = delay + Math.random() * delay * 0.5;
      show("closed", "reconnecting in " + Math.ceil(wait / 1000) + " s");
      delay = Math.min(delay * 2, maxDelay);
      window.setTimeout(connect, wait);
    });
  }

  connect();
})();
