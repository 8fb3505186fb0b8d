// Opens a WebSocket to /ws/ping/ (wss:// on an https:// page) and shows whether a
// ping makes the round trip through the server and its channel layer.
(function () {
  const status = document.getElementById("ping-status");
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + window.location.host + status.dataset.url);
  let sentAt;

  socket.addEventListener("open", function () {
    sentAt = performance.now();
    socket.send(JSON.stringify({ ping: 1 }));
  });
  socket.addEventListener("message", function (event) {
    if (JSON.parse(event.data).pong === 1) {
      const milliseconds = Math.round(performance.now() - sentAt);
      status.textContent = "connected, round trip " + milliseconds + " ms";
    }
  });
  socket.addEventListener("close", function () {
    status.textContent = "disconnected";
  });
})();
