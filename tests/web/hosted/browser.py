"""Helpers for the real-browser tests: Debian's Chromium driven by Playwright's sync API.

* ``chromium_or_skip`` finds ``/usr/bin/chromium``; without it the browser tests skip, unless
  ``IDMINT_REQUIRE_BROWSER=1`` (set by ``.ci/run`` once it has installed Chromium) makes them fail.
* ``Tab`` is one fresh browser context and page on the live server. It records every request
  the browser makes, the console errors and the documents' responses, and follows a redirect to
  the (not running) client app at ``http://localhost:8700``: Playwright does not route the hops
  of a redirect, so the app's URL is read from the request the browser makes for it, whose
  connection is then refused.
* ``layout_problems`` checks a page for a readable layout (no horizontal scroll, labelled inputs,
  reachable submit button, 16 px inputs on a phone, 44 px tap targets, no inline styles under a
  CSP that forbids them); ``screenshot`` saves a page under ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = "IDMINT_REQUIRE_BROWSER"
APP_ORIGIN = "http://localhost:8700"
"""The client app of ``make_oauth_pool`` (CallbackURLs, LogoutURLs): nothing listens there."""
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    phone: bool


PHONE = Screen("phone", 360, 740, phone=True)
DESKTOP = Screen("desktop", 1280, 800, phone=False)


def chromium_or_skip() -> str:
    """The path of Debian's Chromium; skip (or fail under ``IDMINT_REQUIRE_BROWSER=1``)
    when it is not installed."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    reason = (
        f"{CHROMIUM} is not installed: the browser tests need Debian's Chromium "
        "(`apt-get install chromium`, as .ci/run does); Playwright's own browser download "
        "is not used"
    )
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason} ({REQUIRE_BROWSER}=1)", pytrace=False)
    pytest.skip(reason)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Tab:
    """A fresh browser context (cookies, storage) showing one page of the server at ``origin``.

    ``to_app`` replaces the page by a new one in the same context, as a person closes the tab
    that failed to reach the app and goes on in another: the browser's error page would
    otherwise reload the app's URL on its own and interrupt the next navigation."""

    context: BrowserContext
    origin: str
    page: Page = field(init=False)
    requests: list[Request] = field(default_factory=list)
    """Every request of every page of this context."""
    console_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    """Resources the pages asked for and did not get (not documents: their status is checked
    where they are expected), including the ones Chromium fetches itself, like a favicon."""
    documents: list[Response] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page = self._new_page()

    @classmethod
    def open(cls, browser: Browser, origin: str, screen: Screen = DESKTOP) -> Tab:
        context = browser.new_context(
            viewport={"width": screen.width, "height": screen.height},
            is_mobile=screen.phone,
            has_touch=screen.phone,
            device_scale_factor=2 if screen.phone else 1,
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        return cls(context, origin)

    def _new_page(self) -> Page:
        page = self.context.new_page()
        page.on("request", lambda request: self.requests.append(request))
        page.on("response", lambda response: self._response(page, response))
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda exc: self.console_errors.append(f"{exc} on {page.url}"))
        return page

    def _response(self, page: Page, response: Response) -> None:
        request = response.request
        if not request.is_navigation_request():
            if response.status >= 400:
                self.failed_loads.append(f"{response.status} {request.method} {response.url}")
        elif request.frame == page.main_frame:
            self.documents.append(response)

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource"):
            # a document's status is checked by the test; anything else is a failed load
            if where != page.url and where.split("?")[0] != page.url.split("?")[0]:
                self.failed_loads.append(f"{message.text}: {where}")
            return
        self.console_errors.append(f"{message.text} at {where} on {page.url}")

    def close(self) -> None:
        self.context.close()

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def goto(self, path_or_url: str) -> Response:
        url = path_or_url if "://" in path_or_url else self.url(path_or_url)
        response = self.page.goto(url)
        assert response is not None, url
        return response

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: str) -> Locator:
        return self.page.get_by_role("link", name=name, exact=True)

    def fill(self, fields: dict[str, str]) -> None:
        """Type into the inputs with these labels (the way a person finds them)."""
        for label, value in fields.items():
            self.page.get_by_label(label, exact=True).fill(value)

    def click(self, target: Locator) -> Response:
        """Click a link or a form's button and wait for the page it leads to (the answer that
        is not a redirect): the URL alone cannot tell, as a refused form comes back at the
        same URL."""
        with self.page.expect_response(self._is_page) as info:
            target.click()
        self.page.wait_for_load_state()
        return info.value

    def _is_page(self, response: Response) -> bool:
        request = response.request
        return (
            request.is_navigation_request()
            and request.frame == self.page.main_frame
            and not 300 <= response.status < 400
        )

    @property
    def document(self) -> Response:
        """The response that delivered the page shown now."""
        assert self.documents, "no page loaded"
        return self.documents[-1]

    def to_app(self, action: Callable[[], object], *, after_post: bool = False) -> str:
        """Run ``action`` (a click or a ``goto``) that the server answers with a redirect to
        the client app, and return the URL the browser asked the app for. The redirect is a
        303 after a form's POST (RFC 9110 §15.4.4), else a 302.

        Nothing listens there: the connection is refused (a ``goto`` raises), the page goes
        to the browser's error page and is replaced by a fresh one (see the class)."""
        with self.page.expect_request(
            lambda r: r.url.startswith(APP_ORIGIN + "/") and r.is_navigation_request()
        ) as info:
            try:
                action()
            except PlaywrightError as exc:
                # "net::ERR_CONNECTION_REFUSED", or the error page interrupting a goto
                if "net::ERR_" not in exc.message and "chrome-error://" not in exc.message:
                    raise
        request = info.value
        request.response()  # wait until the browser is done with it (refused)
        hop = request.redirected_from
        assert hop is not None, f"the browser went to {request.url} without a redirect"
        answer = hop.response()
        assert answer is not None
        failed, self.page = self.page, self._new_page()
        failed.close()
        expected = ("POST", 303) if after_post else ("GET", 302)
        assert (hop.method, answer.status) == expected, (hop.method, answer.status, hop.url)
        return request.url

    def visited(self, path: str) -> bool:
        """Whether the browser asked the server for ``path`` since this tab opened."""
        return any(
            r.url.startswith(self.origin) and urlsplit(r.url).path == path for r in self.requests
        )

    def foreign_requests(self) -> list[str]:
        """Requests that left the server's origin, but for navigations to the client app."""
        return [
            f"{r.method} {r.url}"
            for r in self.requests
            if origin_of(r.url) != self.origin
            and not (origin_of(r.url) == APP_ORIGIN and r.is_navigation_request())
        ]

    def assert_clean(self) -> None:
        """No request left the server's origin (no CDN, no third party), no console errors
        (CSP violations, script errors)."""
        foreign = self.foreign_requests()
        assert not foreign, "requests left the server's origin:\n" + "\n".join(foreign)
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)


@dataclass(frozen=True)
class Control:
    tag: str
    type: str
    name: str
    label: str
    font_px: float
    height: float


_CONTROLS_JS = """
() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .map(e => {
    const by = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => document.getElementById(id)?.textContent || '').join(' ');
    const label = [...(e.labels || [])].map(l => l.textContent).join(' ')
      || by || e.getAttribute('aria-label') || '';
    return {
      tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || e.id || '',
      label: label.replace(/\\s+/g, ' ').trim(),
      font_px: parseFloat(getComputedStyle(e).fontSize),
      height: e.getBoundingClientRect().height,
    };
  })
"""

_TAP_TARGETS_JS = """
() => {
  const inSentence = a => {
    const text = (a.parentElement?.textContent || '').replace(/\\s+/g, ' ').trim();
    return text.length > (a.textContent || '').replace(/\\s+/g, ' ').trim().length;
  };
  const targets = 'button, input:not([type=hidden]), select, textarea, a[href]';
  return [...document.querySelectorAll(targets)]
    .filter(e => e.getClientRects().length > 0)
    .filter(e => !(e.tagName === 'A' && inSentence(e)))
    .filter(e => !['checkbox', 'radio'].includes(e.type))
    .map(e => ({
      what: e.tagName.toLowerCase() + ' ' + JSON.stringify(
        (e.textContent || e.value || e.name || '').replace(/\\s+/g, ' ').trim().slice(0, 40)),
      height: e.getBoundingClientRect().height,
    }))
    .filter(t => t.height < 44);
}
"""


def _forbids_inline_styles(csp: str | None) -> bool:
    if not csp:
        return False
    directives = {
        part.strip().split()[0].lower(): part.strip().split()[1:]
        for part in csp.split(";")
        if part.strip()
    }
    for name in ("style-src-attr", "style-src", "default-src"):
        if name in directives:
            return "'unsafe-inline'" not in directives[name]
    return False


def layout_problems(page: Page, screen: Screen, csp: str | None) -> list[str]:
    """What keeps the page shown now from being readable and usable at ``screen``'s width
    (``csp``: the Content-Security-Policy the page came with). Call it before anything else
    touches the page: Playwright's screenshots leave empty ``style=""`` attributes behind."""
    problems: list[str] = []
    if _forbids_inline_styles(csp):
        styled = page.evaluate(
            "() => [...document.querySelectorAll('[style]')].map(e => e.outerHTML.slice(0, 80))"
        )
        problems += [f"inline style attribute under CSP {csp!r}: {s}" for s in styled]
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"scrolls sideways: scrollWidth {scroll_width} > innerWidth {inner_width}")
    if inner_width != screen.width:
        # a phone zooms out to fit content wider than the screen: innerWidth grows with it
        problems.append(f"zoomed out: innerWidth {inner_width} on a {screen.width}px screen")

    controls = [Control(**c) for c in page.evaluate(_CONTROLS_JS)]
    for control in controls:
        if not control.label:
            problems.append(f"{control.tag} {control.name!r} has no accessible label")
            continue
        found = page.get_by_label(control.label, exact=True).evaluate_all(
            "els => els.map(e => e.name || e.id || '')"
        )
        if control.name not in found:
            problems.append(f"get_by_label({control.label!r}) does not find {control.name!r}")
        if screen.phone and control.font_px < 16:
            problems.append(
                f"{control.tag} {control.label!r} font {control.font_px}px < 16px (iOS zooms)"
            )

    submits = page.locator("form button[type=submit], form button:not([type]), input[type=submit]")
    if page.locator("form").count() and not submits.count():
        problems.append("a form without a submit button")
    for i in range(submits.count()):
        button = submits.nth(i)
        if not button.is_visible():
            continue
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        scroll_x = page.evaluate("() => window.scrollX")
        if box is None or box["x"] < 0 or box["x"] + box["width"] > inner_width or scroll_x:
            problems.append(f"submit button {button.inner_text()!r} outside the viewport: {box}")
        page.evaluate("() => window.scrollTo(0, 0)")

    problems += [
        f"tap target {t['what']} is {t['height']:.0f}px high < 44px"
        for t in page.evaluate(_TAP_TARGETS_JS)
    ]
    return problems


def screenshot(tab: Tab, test: str, name: str, screen: Screen) -> Path:
    """Save the whole page as ``test-artifacts/screenshots/<test>/<name>-<width>.png``."""
    path = ARTIFACTS / "screenshots" / re.sub(r"[^\w.-]+", "-", test) / f"{name}-{screen.width}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(path), full_page=True)
    return path


def tabs(browser: Browser, origin: str) -> Iterator[Callable[..., Tab]]:
    """A factory of fresh tabs, closed at the end of the test."""
    opened: list[Tab] = []

    def open_tab(screen: Screen = DESKTOP) -> Tab:
        tab = Tab.open(browser, origin, screen)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()
