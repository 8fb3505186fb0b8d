"""A large request body, streamed to a web process as anyone can send one: a multipart
form with one big file, its length declared or sent in chunks, piece by piece (the
sender never holds more than one piece), until the server stops reading it. Used by
tests/test_request_bodies.py and bench/serve.py."""

import re
import socket
import threading
import time

from tests.support.platform_env import HOST
from tests.support.visitors import form_headers

LARGE = 150 * 1024 * 1024
PIECE = 256 * 1024
ANSWER_TIMEOUT = 15


def request_head(path: str, framing: str, boundary: str = "ccdp-bodies") -> bytes:
    """A multipart form's POST as a browser sends it from the site's page, with a
    CSRF cookie, so that Django's CSRF check reads the form (and its files) for the
    token rather than refusing it unread."""
    headers = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",
        "Cookie": f"csrftoken={'a' * 32}",
        **form_headers(path, f"multipart/form-data; boundary={boundary}"),
    }
    lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), framing]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def multipart_pieces(size: int, boundary: str = "ccdp-bodies"):
    """A multipart form with one file of `size` bytes, piece by piece: the test never
    holds more than one piece."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="picture";'
        f' filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    zeros = bytes(PIECE)
    for start in range(0, size, PIECE):
        yield zeros[: min(PIECE, size - start)]
    yield f"\r\n--{boundary}--\r\n".encode()


def multipart_length(size: int) -> int:
    return sum(len(piece) for piece in multipart_pieces(0)) + size


def status_of(answer: bytes) -> int | None:
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return int(match.group(1)) if match else None


def read_answer(sock: socket.socket) -> bytes:
    """The server's answer: until its declared length has arrived, the server closed
    the connection, or it went quiet for ANSWER_TIMEOUT."""
    answer = b""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while time.monotonic() < deadline:
        head, _, body = answer.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length: *(\d+)", head)
        if length and len(body) >= int(length.group(1)):
            break
        try:
            data = sock.recv(65536)
        except OSError:  # a timeout, or a reset once the rest of the body was refused
            break
        if not data:
            break
        answer += data
    return answer


class LargeBody:
    """A POST of a `size`-byte multipart body, declared or chunked, sent from a
    thread until the server stops reading it; then its answer, if any."""

    def __init__(self, port: int, path: str, chunked: bool, size: int = LARGE):
        self.port, self.path, self.chunked, self.size = port, path, chunked, size
        self.sent = 0
        self.answer = b""
        self.error: str | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        framing = (
            "Transfer-Encoding: chunked"
            if self.chunked
            else f"Content-Length: {multipart_length(self.size)}"
        )
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=ANSWER_TIMEOUT) as sock:
                sock.sendall(request_head(self.path, framing))
                try:
                    for piece in multipart_pieces(self.size):
                        if self.chunked:
                            piece = b"%x\r\n%s\r\n" % (len(piece), piece)
                        sock.sendall(piece)
                        self.sent += len(piece)
                    if self.chunked:
                        sock.sendall(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server closed the connection: it reads no more
                self.answer = read_answer(sock)
        except Exception as error:  # noqa: BLE001 - any other failure is the finding
            self.error = repr(error)

    def join(self) -> None:
        self.thread.join(timeout=120)
        assert not self.thread.is_alive(), f"{self.path}: still sending after 120 s"
