"""The account pages in a real browser: a link opened from an email, asking for a password
reset, a new verification link, and deleting the account. Every page looked at is
screenshotted and passes axe (tests/system/browser.py)."""

from __future__ import annotations

import uuid

from tests.system.browser import Visitor

PASSWORD = "a long enough password"


async def test_used_or_forged_links_say_so_and_a_reset_asks_nothing_it_should_not(
    visitor: Visitor,
) -> None:
    page = visitor.page

    await visitor.go("/verify-email?token=" + "A" * 43)
    await visitor.look("verify email")
    await page.get_by_role("button", name="Confirm my email").click()
    await visitor.look("verify email refused")
    assert "expired or was used already" in await page.locator("main").inner_text()

    await visitor.go("/reset-password?token=" + "A" * 43)
    await page.get_by_label("New password").fill("a new long password")
    await visitor.look("reset password")
    await page.get_by_role("button", name="Save my new password").click()
    assert "expired or was used already" in await page.locator("main").inner_text()

    await visitor.go("/sign-in")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email").fill("nobody-here@example.com")
    await page.get_by_role("button", name="Send me a link").click()
    await visitor.look("reset asked")
    assert "If an account has the email" in await page.locator("main").inner_text()


async def test_a_person_asks_for_a_new_link_then_deletes_their_account(visitor: Visitor) -> None:
    page = visitor.page
    email = f"leaving-{uuid.uuid4().hex[:8]}@example.com"
    await visitor.go("/sign-up")
    await page.get_by_label("Your name").fill("Lee Leaving")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()
    await page.wait_for_url(visitor.base_url + "/")

    await visitor.go("/account")
    await page.get_by_role("button", name="Send me a new link").click()
    await visitor.look("account, new link asked")
    assert f"We sent a new link to {email}" in await page.locator("main").inner_text()

    await page.get_by_label("Your password, to confirm").fill("not my password")
    await page.get_by_role("button", name="Delete my account").click()
    assert "That password is not right." in await page.locator("#password-error").inner_text()
    await page.get_by_label("Your password, to confirm").fill(PASSWORD)
    await page.get_by_role("button", name="Delete my account").click()
    await page.wait_for_url(visitor.base_url + "/account-deleted")
    await visitor.look("account deleted")
    assert await page.get_by_role("link", name="Sign in").is_visible()

    await visitor.go("/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    assert "do not match" in await page.locator("#password-error").inner_text()
