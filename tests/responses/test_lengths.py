"""Each platform's length, counted the way that platform counts it (responses.lengths)."""

import pytest

from responses.lengths import length_check, length_errors, measure

LINK = "https://example.com/orders/late-deliveries/what-we-are-doing-about-it-and-when"
FAMILY = "👨‍👩‍👧‍👦"  # four people joined into one picture: seven code points
FLAG = "🇫🇷"


def test_x_counts_any_link_as_23():
    assert len(LINK) > 23
    assert measure(LINK, "x") == 23
    assert measure(f"Read {LINK} now", "x") == len("Read ") + 23 + len(" now")


def test_x_counts_most_emoji_and_cjk_characters_as_2():
    assert measure("😷", "x") == 2
    assert measure(FAMILY, "x") == 2
    assert measure("日本語", "x") == 6
    assert measure("Déjà vu — naïve", "x") == len("Déjà vu — naïve")


def test_x_takes_280_plain_characters_and_refuses_281():
    assert length_errors("a" * 280, ["x"]) == []
    assert length_errors("a" * 281, ["x"]) == ["Too long for X by 1 character (281 of 280)."]


def test_x_takes_a_long_link_that_plain_characters_would_refuse():
    body = "a" * 250 + " " + LINK  # 330 characters, 274 as X counts them
    assert len(body) > 280
    assert length_errors(body, ["x"]) == []


def test_x_refuses_emoji_that_plain_characters_would_let_through():
    body = "😷" * 141  # 141 characters, 282 as X counts them

    assert length_errors(body, ["x"]) == [
        "Too long for X by 2 characters "
        "(282 of 280, as X counts: a link 23, most emoji and CJK characters 2)."
    ]


@pytest.mark.parametrize("platform", ["bluesky", "threads"])
def test_bluesky_and_threads_count_what_a_reader_sees(platform):
    assert len(FAMILY) == 7
    assert measure(FAMILY, platform) == 1
    assert measure(FLAG, platform) == 1
    assert measure("e\u0301", platform) == 1  # e and a combining accent: one é on screen
    assert measure("Sorry 👍🏽", platform) == 7


def test_bluesky_takes_300_families_that_plain_characters_would_refuse():
    body = FAMILY * 300

    assert length_errors(body, ["bluesky"]) == []
    assert length_errors(body + "!", ["bluesky"]) == [
        "Too long for Bluesky by 1 character "
        "(301 of 300, as a reader sees them: an emoji counts 1)."
    ]


def test_other_platforms_count_characters():
    assert measure(FAMILY, "instagram") == 7
    assert measure(LINK, "facebook") == len(LINK)
    assert measure("anything at all", "other") == len("anything at all")


def test_the_check_gives_one_row_per_platform_in_its_own_unit():
    body = f"Update: {LINK} {FAMILY}"

    rows = length_check(body, ["x", "bluesky", "other"])

    assert [(r.label, r.limit, r.length, r.fits) for r in rows] == [
        ("X", 280, 8 + 23 + 1 + 2, True),
        ("Bluesky", 300, 8 + len(LINK) + 1 + 1, True),
        ("Other", None, len(body), True),
    ]
