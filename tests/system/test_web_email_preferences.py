"""A person turns reminder emails off on their account page, in a real browser, and the choice
is kept by notifications through the gateway."""

from __future__ import annotations

import uuid

from tests.system.browser import Visitor

PASSWORD = "a long enough password"


async def test_a_person_turns_reminders_off_and_the_page_keeps_it(visitor: Visitor) -> None:
    page = visitor.page
    await visitor.go("/sign-up")
    await page.get_by_label("Your name").fill("Quinn Quiet")
    await page.get_by_label("Email").fill(f"quinn-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()
    await page.wait_for_url(visitor.base_url + "/")

    await visitor.go("/account")
    reminders = page.get_by_label("Reminders before my booked sessions")
    messages = page.get_by_label("An email when someone writes to me about a booking")
    assert await reminders.is_checked()
    assert await messages.is_checked()
    await visitor.look("email preferences, all on")
    await reminders.uncheck()
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(visitor.base_url + "/account#email-preferences")

    await visitor.look("email preferences saved")
    assert "Saved." in await page.locator("body").inner_text()
    await visitor.go("/account")
    assert not await reminders.is_checked()
    assert await messages.is_checked()
