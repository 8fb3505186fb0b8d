"""What a Sentry event keeps while SENTRY_SEND_DEFAULT_PII is off: the exception's
type, message and stack (without local variables), the request's method and URL
pattern, the release and the environment. Nothing a visitor submitted or carried:
no request body, query string, header, cookie or user, no key in a URL's path, no
log message's arguments or a log record's extras, no task arguments, and no e-mail
address in any message.

sentry-sdk's own scrubber removes values only under the exact names it knows
(`password`, not `password1` or `new_password`), and it attaches form and JSON bodies
whatever send_default_pii says. So error_tracking.start() tells it not to read
bodies at all (max_request_body_size="never"), and these hooks keep what is listed
above and drop the rest:
https://docs.sentry.io/platforms/python/data-management/sensitive-data/
"""

import re

FILTERED = "[Filtered]"
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# What an outgoing HTTP request's breadcrumb keeps: not its query string or fragment.
HTTP_DATA = {"method", "url", "http.method", "status_code", "reason"}


def redacted(text):
    """A message without e-mail addresses (a database's unique-violation detail, a
    mail provider's refusal name the address)."""
    return EMAIL_ADDRESS.sub(FILTERED, text) if isinstance(text, str) else text


def before_breadcrumb(breadcrumb, hint):
    record = (hint or {}).get("log_record")
    if record is not None:  # the log message's template, not its arguments
        breadcrumb["message"] = str(record.msg)
    data = breadcrumb.pop("data", None) or {}
    if breadcrumb.get("category") == "httplib":
        kept = {name: value for name, value in data.items() if name in HTTP_DATA}
        breadcrumb["data"] = kept
    if "message" in breadcrumb:
        breadcrumb["message"] = redacted(breadcrumb["message"])
    return breadcrumb


def request_without_data(event) -> dict:
    """The request's method and URL, its path replaced by the URL pattern Django
    matched (`/accounts/confirm-email/{key}/`), when there is one."""
    request = event.get("request") or {}
    url = request.get("url") or ""
    if url and (event.get("transaction_info") or {}).get("source") == "route":
        origin = "/".join(url.split("/", 3)[:3])
        url = origin + event["transaction"]
    kept = {"method": request.get("method"), "url": url}
    return {name: value for name, value in kept.items() if value}


def before_send(event, hint):
    if "request" in event:
        event["request"] = request_without_data(event)
    event.pop("user", None)
    task = (event.get("extra") or {}).get("celery-job")
    kept = {"task_name": task.get("task_name")} if isinstance(task, dict) else None
    event["extra"] = {"celery-job": kept} if kept else {}
    if isinstance(event.get("logentry"), dict):
        event["logentry"] = {"message": redacted(event["logentry"].get("message"))}
    if "message" in event:
        event["message"] = redacted(event["message"])
    for key in ("exception", "threads"):
        for value in (event.get(key) or {}).get("values") or []:
            if key == "exception":
                value["value"] = redacted(value.get("value"))
            for frame in (value.get("stacktrace") or {}).get("frames") or []:
                frame.pop("vars", None)
    for breadcrumb in (event.get("breadcrumbs") or {}).get("values") or []:
        before_breadcrumb(breadcrumb, None)
    return event
