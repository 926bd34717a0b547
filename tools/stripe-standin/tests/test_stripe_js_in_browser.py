"""The stand-in's Stripe.js in Debian's Chromium: a checkout page from another origin mounts the
card form, a person types a declined card and then a good one, and payments gets its webhook."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from .conftest import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "tests" / "screenshots"

# The page's own code, the same as it would be against js.stripe.com.
CHECKOUT_JS = """
const params = new URLSearchParams(location.search);
const stripe = Stripe("pk_test_standin");
const elements = stripe.elements({clientSecret: params.get("client_secret")});
elements.create("payment").mount("#payment-element");
const form = document.getElementById("payment-form");
const button = form.querySelector("button");
const message = document.getElementById("payment-message");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  message.textContent = "";
  const {error, paymentIntent} = await stripe.confirmPayment({
    elements,
    confirmParams: {return_url: new URL("/done", location.href).href},
    redirect: params.get("redirect") || "if_required",
  });
  button.disabled = false;
  message.textContent = error ? error.message : `Payment ${paymentIntent.status}`;
});
"""

CHECKOUT_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Checkout</title>
  <link rel="stylesheet" href="/checkout.css">
  <script src="{standin}/v3/"></script>
</head>
<body>
  <main>
    <h1>Pay for your booking</h1>
    <p>Studio Nord, Room A, Saturday 10:00 to 12:00: EUR 45.00</p>
    <form id="payment-form">
      <div id="payment-element"></div>
      <button type="submit">Pay EUR 45.00</button>
      <p id="payment-message" role="alert"></p>
    </form>
  </main>
  <script src="/checkout.js"></script>
</body>
</html>
"""

CHECKOUT_CSS = """
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; }
button { margin-top: 1rem; font: inherit; padding: .6rem 1.2rem; border-radius: .375rem;
         border: 0; background: #1a56db; color: #fff; }
#payment-message { color: #9b1c1c; font-weight: 600; }
"""


def checkout_site(standin_url: str) -> FastAPI:
    """The shop's pages, from their own origin, under a CSP that allows no inline code."""
    app = FastAPI()
    csp = (
        f"default-src 'self'; script-src 'self' {standin_url}; "
        f"connect-src {standin_url}; style-src 'self'"
    )

    @app.get("/checkout")
    async def checkout() -> HTMLResponse:
        html = CHECKOUT_HTML.replace("{standin}", standin_url)
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    @app.get("/checkout.js")
    async def checkout_js() -> Response:
        return Response(CHECKOUT_JS, media_type="text/javascript")

    @app.get("/checkout.css")
    async def checkout_css() -> Response:
        return Response(CHECKOUT_CSS, media_type="text/css")

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/done")
    async def done(request: Request) -> HTMLResponse:
        return HTMLResponse(f"<title>Done</title><p id=status>{request.query_params}</p>")

    return app


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
def site_url(standin_url):
    with serve(checkout_site(standin_url)) as url:
        yield url


@pytest.fixture
async def page(browser: Browser, site_url: str) -> AsyncIterator[Page]:
    # Asks for the site so that it closes before the site stops: a late favicon request from
    # the last page would otherwise be refused and logged as an error.
    context = await browser.new_context(viewport={"width": 800, "height": 720})
    opened = await context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("console", lambda message: _note_console_error(message, problems))
    yield opened
    await context.close()
    assert problems == []  # no script error, no CSP violation


def _note_console_error(message: ConsoleMessage, problems: list[str]) -> None:
    # A declined card is a 402 the browser logs as a failed resource; that is expected.
    if message.type == "error" and "402" not in message.text:
        problems.append(message.text)


async def fill_card(page: Page, number: str, expiry: str = "12 / 34", cvc: str = "123") -> None:
    await page.get_by_label("Card number").fill(number)
    await page.get_by_label("Expiration date").fill(expiry)
    await page.get_by_label("Security code").fill(cvc)


@pytest.fixture
async def manual_intent(client):
    return await client.v1.payment_intents.create_async(
        params={"amount": 4_500, "currency": "eur", "capture_method": "manual"}
    )


async def test_declined_card_then_good_card_in_the_browser(
    client, receiver, page, site_url, manual_intent
):
    await page.goto(f"{site_url}/checkout?client_secret={manual_intent.client_secret}")
    await fill_card(page, "4000000000000002")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / "stripe-standin-card-form.png", full_page=True)

    await page.get_by_role("button", name="Pay EUR 45.00").click()

    await expect(page.locator("#payment-message")).to_have_text("Your card was declined.")
    await page.screenshot(path=SCREENSHOTS / "stripe-standin-declined.png", full_page=True)
    declined = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert declined.status == "requires_payment_method"

    await page.get_by_label("Card number").fill("4242 4242 4242 4242")
    await page.get_by_role("button", name="Pay EUR 45.00").click()

    await expect(page.locator("#payment-message")).to_have_text("Payment requires_capture")
    authorized = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert (authorized.status, authorized.amount_capturable) == ("requires_capture", 4_500)
    assert await receiver.wait_for(2) == [
        "payment_intent.payment_failed",
        "payment_intent.amount_capturable_updated",
    ]


async def test_typing_formats_the_card_and_incomplete_fields_are_announced(
    client, receiver, page, site_url, manual_intent
):
    await page.goto(f"{site_url}/checkout?client_secret={manual_intent.client_secret}")
    number = page.get_by_label("Card number")
    await number.press_sequentially("4242424242424242")
    await expect(number).to_have_value("4242 4242 4242 4242")
    await page.get_by_label("Expiration date").press_sequentially("1234")
    await expect(page.get_by_label("Expiration date")).to_have_value("12 / 34")

    await page.get_by_role("button", name="Pay EUR 45.00").click()

    cvc = page.get_by_label("Security code")
    in_the_form = page.locator("#payment-element").get_by_role("alert")
    await expect(in_the_form.filter(has_text="security code")).to_have_text(
        "Your card's security code is incomplete."
    )
    await expect(cvc).to_have_accessible_description("Your card's security code is incomplete.")
    await expect(cvc).to_have_attribute("aria-invalid", "true")
    await expect(cvc).to_be_focused()
    await expect(page.locator("#payment-message")).to_have_text(
        "Your card's security code is incomplete."
    )
    await page.screenshot(path=SCREENSHOTS / "stripe-standin-incomplete.png", full_page=True)
    await page.set_viewport_size({"width": 360, "height": 720})
    for label in ("Card number", "Expiration date", "Security code"):
        box = await page.get_by_label(label).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 360  # fits a phone's width
    await page.screenshot(path=SCREENSHOTS / "stripe-standin-phone.png", full_page=True)
    untouched = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert (untouched.status, untouched.latest_charge) == ("requires_payment_method", None)


async def test_without_if_required_success_goes_to_the_return_url(
    client, page, site_url, manual_intent
):
    await page.goto(
        f"{site_url}/checkout?redirect=always&client_secret={manual_intent.client_secret}"
    )
    await fill_card(page, "4242 4242 4242 4242")

    await page.get_by_role("button", name="Pay EUR 45.00").click()

    await page.wait_for_url(f"{site_url}/done?*")
    query = dict(pair.split("=", 1) for pair in page.url.split("?", 1)[1].split("&"))
    assert query == {
        "payment_intent": manual_intent.id,
        "payment_intent_client_secret": manual_intent.client_secret,
        "redirect_status": "succeeded",
    }
    authorized = await client.v1.payment_intents.retrieve_async(manual_intent.id)
    assert authorized.status == "requires_capture"
