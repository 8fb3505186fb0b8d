"""A small browser for a local development server: plain HTTP to 127.0.0.1, cookies
kept as a browser keeps them (http.cookiejar, so Secure cookies stay off plain HTTP),
redirects followed, links and forms read with the standard library's html.parser."""

import http.client
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

MAX_REDIRECTS = 10
REQUEST_TIMEOUT = 30


@dataclass
class Hop:
    """One request and the response to it."""

    method: str
    url: str
    status: int
    location: str | None = None


@dataclass
class Page:
    """Where a request ended after its redirects, and every hop on the way."""

    url: str
    status: int
    content_type: str
    body: str
    hops: list[Hop]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def html(self) -> bool:
        return self.content_type.startswith("text/html")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class PageParser(HTMLParser):
    """Every <a href> and every <form> with the values a browser would submit."""

    # Controls that a plain submission never sends.
    NOT_SENT = {"submit", "button", "image", "reset", "file"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        elif tag == "form":
            self._form = Form(attributes.get("action", ""), attributes.get("method", "get"))
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attributes.get("name"):
            kind = attributes.get("type", "text").lower()
            if kind in self.NOT_SENT:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self._form.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


class Browser:
    """Requests to one origin (http://host:port), with a cookie jar."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8000):
        self.host, self.port = host, port
        self.origin = f"http://{host}:{port}"
        self.cookies = CookieJar()

    def same_site(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme == "http" and parts.netloc == f"{self.host}:{self.port}"

    def _send(self, method: str, url: str, body: str | None, headers: dict[str, str]) -> tuple:
        request = urllib.request.Request(url, data=body.encode() if body else None, method=method)
        for name, value in headers.items():
            request.add_unredirected_header(name, value)
        self.cookies.add_cookie_header(request)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(
                method, path or "/", body=request.data, headers=dict(request.header_items())
            )
            response = conn.getresponse()
            payload = response.read()
            self.cookies.extract_cookies(response, request)
            return response.status, response.headers, payload
        finally:
            conn.close()

    def request(
        self,
        method: str,
        path_or_url: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> Page:
        """Send a request; with follow, follow its redirects (GET, as browsers do)."""
        url = urljoin(self.origin + "/", path_or_url)
        headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        hops: list[Hop] = []
        for _ in range(MAX_REDIRECTS + 1):
            assert self.same_site(url), f"refusing to leave {self.origin}: {url}"
            status, response_headers, payload = self._send(method, url, body, headers)
            location = response_headers.get("Location")
            hops.append(Hop(method, url, status, location))
            if not (follow and status in (301, 302, 303, 307, 308) and location):
                return Page(
                    url,
                    status,
                    response_headers.get("Content-Type", ""),
                    payload.decode(errors="replace"),
                    hops,
                )
            url = urljoin(url, location)
            if status in (301, 302, 303):
                method, body = "GET", None
                headers = {"Host": headers["Host"]}
        raise AssertionError(f"more than {MAX_REDIRECTS} redirects: {hops}")

    def get(self, path_or_url: str, follow: bool = True) -> Page:
        return self.request("GET", path_or_url, follow=follow)

    def submit(self, page: Page, form: Form, values: dict[str, str], follow=False) -> Page:
        """Post `form` of `page` as a browser would: its own fields (the CSRF token
        among them) overlaid with `values`, and the page as Origin and Referer."""
        action = urljoin(page.url, form.action or page.url)
        body = urlencode({**form.fields, **values})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": page.url,
        }
        return self.request(form.method.upper(), action, body, headers, follow=follow)

    def links(self, page: Page) -> list[str]:
        """The same-site URLs that the page's <a href> point to, without fragments."""
        found = []
        for href in parse(page.body).links:
            href = href.strip()
            if not href or href.startswith("#"):
                continue
            url, _fragment = urldefrag(urljoin(page.url, href))
            if self.same_site(url) and url not in found:
                found.append(url)
        return found

    def crawl(self, start: str = "/", max_pages: int = 60) -> list[Page]:
        """Breadth first from `start` along every same-site link, at most max_pages
        requests; each page's redirects are followed and recorded in its hops."""
        queue = deque([urljoin(self.origin + "/", start)])
        seen = set(queue)
        pages: list[Page] = []
        while queue and len(pages) < max_pages:
            page = self.get(queue.popleft())
            pages.append(page)
            seen.update(hop.url for hop in page.hops)
            if page.status != 200 or not page.html:
                continue
            for url in self.links(page):
                if url not in seen:
                    seen.add(url)
                    queue.append(url)
        return pages


def forms(page: Page) -> list[Form]:
    return parse(page.body).forms


def form_with(page: Page, *, action: str | None = None, field_name: str | None = None) -> Form:
    """The first form of the page posting to `action` (a path) or holding `field_name`."""
    for form in forms(page):
        target = urlsplit(urljoin(page.url, form.action or page.url)).path
        if (action is None or target == action) and (
            field_name is None or field_name in form.fields
        ):
            return form
    raise AssertionError(
        f"{page.url} has no form (action={action}, field={field_name}):\n{page.body[:2000]}"
    )
