"""The security headers of the answers given before Django's security middleware runs:
the platform's probes (serving/health.py, answered before the HTTPS
redirect and the Host check) and a body over the limit (serving/request_bodies.py,
refused before Django sees the request). They carry what every page carries
(settings: nosniff, X-Frame-Options, Referrer-Policy, Cross-Origin-Opener-Policy, HSTS
over HTTPS, and the Cross-Origin-Resource-Policy that
serving/security_headers.py adds), and a Content Security Policy that lets these plain
answers load and run nothing.
https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy
"""

from django.conf import settings

# Other sites' pages may not load this site's responses (scripts, pictures, JSON) as
# resources of their own, so no other site can read them into its own process.
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Cross-Origin-Resource-Policy
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers, for an answer to a request that came over HTTPS (`secure`, as
    the router's X-Forwarded-Proto says) or not."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
        ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
        ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY),
        ("Cross-Origin-Resource-Policy", CROSS_ORIGIN_RESOURCE_POLICY),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ]
    if secure and settings.SECURE_HSTS_SECONDS:
        # As Django's SecurityMiddleware writes it.
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append(("Strict-Transport-Security", hsts))
    return headers


def proxy_ssl_header() -> str:
    """The header, as a client writes it, in which the router says whether a request
    came over HTTPS (settings.SECURE_PROXY_SSL_HEADER's, "x-forwarded-proto")."""
    meta_name = settings.SECURE_PROXY_SSL_HEADER[0]
    return meta_name.removeprefix("HTTP_").lower().replace("_", "-")


def forwarded_as_https(value: str | None) -> bool:
    """Whether the router's X-Forwarded-Proto says the request came over HTTPS, as
    Django reads it (settings.SECURE_PROXY_SSL_HEADER)."""
    return (value or "").split(",", 1)[0].strip() == settings.SECURE_PROXY_SSL_HEADER[1]
