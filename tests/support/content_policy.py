"""The site's Content Security Policy as tests read it.

- directives(): a Content-Security-Policy header as {directive: [values]}.
- PolicyViolations: what a browser refused under the policy, as Chromium reports it:
  each `securitypolicyviolation` event fired in a page, and each console message that
  names the policy (Chromium writes one per refusal, some before any script can
  listen, such as a refused inline <style>). Events reach Python through a binding
  that Playwright installs in every page of the context before the page's own scripts
  run; neither the binding nor the listener is subject to the page's policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage


def directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {name: values for name, *values in parts}


LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` on ${event.documentURI} (${event.sample || "no sample"})`
  );
});
"""


@dataclass
class PolicyViolations:
    """Attached to a context before its pages open; `found` lists every refusal."""

    found: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.expose_function("reportPolicyViolation", self._event)
        context.add_init_script(LISTENER)
        context.on("console", self._console)
        return context

    def _event(self, description: str) -> None:
        self.found.append(description)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(
                f"console on {message.page.url if message.page else '?'}: {message.text}"
            )
