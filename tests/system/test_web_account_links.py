"""The links identity emails, followed in a real browser from the email that arrived at the
SMTP server: confirming an address (once), and choosing a new password after forgetting it."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from scripts.client import until
from tests.fixtures.mail import MailSink
from tests.system.browser import Visitor

PASSWORD = "a long enough password"


async def _link_in_mail(mail_sink: MailSink, address: str, subject: str) -> str:
    """The path and query of the link in the newest email of that subject to the address."""

    async def arrived() -> str | None:
        found = [mail for mail in mail_sink.to(address) if mail.subject == subject]
        if not found:
            return None
        link = re.search(r"https?://\S+", found[-1].body("plain"))
        assert link, found[-1].body("plain")
        parts = urlsplit(link.group(0))
        return f"{parts.path}?{parts.query}"

    found: str = await until(arrived, what=f"{subject!r} to {address}")
    return found


async def _sign_up(visitor: Visitor, email: str) -> None:
    page = visitor.page
    await visitor.go("/sign-up")
    await page.get_by_label("Your name").fill("Vera Verified")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()
    await page.wait_for_url(visitor.base_url + "/")


async def test_a_new_person_confirms_their_email_from_the_link_once(
    visitor: Visitor, mail_sink: MailSink
) -> None:
    email = f"vera-{uuid.uuid4().hex[:8]}@example.com"
    page = visitor.page
    await _sign_up(visitor, email)
    await visitor.go("/account")
    assert "(not confirmed yet)" in await page.locator("main").inner_text()

    link = await _link_in_mail(mail_sink, email, "Confirm your email for OneTime Studios")
    await visitor.go(link)
    await page.get_by_role("button", name="Confirm my email").click()
    await visitor.look("email confirmed")
    assert "your email address is confirmed" in await page.locator("main").inner_text()
    await visitor.go("/account")
    assert "(confirmed)" in await page.locator("main").inner_text()

    await visitor.go(link)
    await page.get_by_role("button", name="Confirm my email").click()
    await visitor.look("link used twice")
    assert "expired or was used already" in await page.locator("main").inner_text()


async def test_a_person_who_forgot_their_password_chooses_a_new_one_from_the_email(
    visitor: Visitor, mail_sink: MailSink
) -> None:
    email = f"fern-{uuid.uuid4().hex[:8]}@example.com"
    page = visitor.page
    await _sign_up(visitor, email)
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(visitor.base_url + "/")

    await visitor.go("/sign-in")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Send me a link").click()
    await visitor.look("reset link sent")
    assert f"If an account has the email {email}" in await page.locator("main").inner_text()

    link = await _link_in_mail(mail_sink, email, "Reset your OneTime Studios password")
    await visitor.go(link)
    await page.get_by_label("New password").fill("a brand new password")
    await page.get_by_role("button", name="Save my new password").click()
    await page.wait_for_url("**/sign-in")
    await visitor.look("password changed")
    assert "Your password is changed" in await page.locator("main").inner_text()

    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("a brand new password")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(visitor.base_url + "/")
    assert await page.get_by_test_id("signed-in-name").inner_text() == "Vera Verified"
