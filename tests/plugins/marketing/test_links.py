"""Signed links of marketing mail: forged, altered and expired ones are refused."""

from datetime import date, timedelta

import pytest

from plugins.marketing.services import links

SECRET = "s" * 40


def test_a_link_reads_back_what_it_was_made_for():
    token = links.make_token(SECRET, links.RECIPIENT, 42, "https://sklep.example/a?b=1", today=date(2026, 11, 1))
    subject = links.read_token(SECRET, token, valid_days=400, today=date(2026, 11, 22))
    assert subject == links.LinkSubject(links.RECIPIENT, 42, date(2026, 11, 1), "https://sklep.example/a?b=1")


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature
        lambda t: links.make_token("o" * 40, links.RECIPIENT, 42),  # another deployment's key
        lambda t: links._b64(b"r.43.2500.") + t[t.index(".") :],  # another recipient, same signature
        lambda t: "not-a-token",
        lambda t: "",
    ],
)
def test_forged_or_altered_links_are_refused(damage):
    token = links.make_token(SECRET, links.RECIPIENT, 42)
    with pytest.raises(links.BadLink) as refused:
        links.read_token(SECRET, damage(token))
    assert not refused.value.expired


def test_old_links_expire():
    made = date(2025, 1, 1)
    token = links.make_token(SECRET, links.OCCASION, 7, today=made)
    assert links.read_token(SECRET, token, valid_days=400, today=made + timedelta(days=400)).row_id == 7
    with pytest.raises(links.BadLink) as refused:
        links.read_token(SECRET, token, valid_days=400, today=made + timedelta(days=401))
    assert refused.value.expired


def test_click_tracking_rewrites_web_links_only():
    html = '<a href="https://a.example/x?y=1&amp;z=2">A</a> <a href="mailto:b@c.pl">B</a>'
    rewritten = links.track_clicks(html, "https://crm.example", SECRET, 5)
    assert 'href="mailto:b@c.pl"' in rewritten
    token = rewritten.split("/plugins/marketing/click/")[1].split('"')[0]
    assert links.read_token(SECRET, token).url == "https://a.example/x?y=1&z=2"


async def test_an_expired_unsubscribe_link_says_so_on_the_page_instead_of_asking(client, runtime, engine_kind):
    from datetime import UTC, datetime

    from plugins.marketing.services.responses import UNSUBSCRIBE_VALID_DAYS

    old = datetime.now(UTC).date() - timedelta(days=UNSUBSCRIBE_VALID_DAYS + 1)
    token = links.make_token(runtime.for_plugin("marketing").signing_key("links"), links.RECIPIENT, 1, today=old)
    page = await client.get(f"/plugins/marketing/unsubscribe/{token}", headers={"accept-language": "en"})
    assert page.status_code == 400
    assert "expired" in page.text and runtime.settings.mail_from in page.text
    assert "<form" not in page.text  # no button that the POST would refuse
    fresh = links.make_token(runtime.for_plugin("marketing").signing_key("links"), links.RECIPIENT, 1)
    assert "<form" in (await client.get(f"/plugins/marketing/unsubscribe/{fresh}")).text
