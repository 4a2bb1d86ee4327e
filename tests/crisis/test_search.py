"""The one reading of a search text (crisis.search.parse), which every record's search builds
its query from, and the database expressions built from it."""

import pytest

from crisis.search import MAX_WORDS, Search, fts5_match, parse, search_tsquery


def test_words_are_wanted_in_lower_case_each_on_its_own():
    assert parse("Refund  COURIER") == Search(wanted=(("refund",), ("courier",)), typed=True)


def test_a_quoted_phrase_is_one_term_and_a_minus_leaves_out():
    search = parse('"late parcel" -refund -"second person" sale')

    assert search.wanted == (("late", "parcel"), ("sale",))
    assert search.excluded == (("refund",), ("second", "person"))


def test_punctuation_only_separates_words():
    # A reference is its words, each wanted; left out, it is left out as a whole.
    assert parse("CR-2026-014").wanted == (("cr",), ("2026",), ("014",))
    assert parse("-CR-2026-014").excluded == (("cr", "2026", "014"),)
    assert parse(r"C:\promo field_name 50%").wanted == (
        ("c",),
        ("promo",),
        ("field",),
        ("name",),
        ("50",),
    )


def test_an_unclosed_quote_runs_to_the_end():
    assert parse('refund "late parcel').wanted == (("refund",), ("late", "parcel"))


@pytest.mark.parametrize(
    "text, wanted",
    [
        ('refund" OR "giveaway', (("refund",), ("or",), ("giveaway",))),
        ("refund* & giveaway:* | !scam", (("refund",), ("giveaway",), ("scam",))),
        ("a NEAR(b c)", (("a",), ("near",), ("b",), ("c",))),
        ("'; DROP TABLE x; --", (("drop",), ("table",), ("x",))),
        ("<-> :* (refund)", (("refund",),)),
        ("возврат ΕΠΙΣΤΡΟΦΗ 返金", (("возврат",), ("επιστροφη",), ("返金",))),
    ],
)
def test_search_syntax_is_never_an_operator(text, wanted):
    search = parse(text)

    assert search.wanted == wanted
    assert search.excluded == ()


@pytest.mark.parametrize("text", [None, "", "   ", "\x00"])
def test_nothing_typed_is_blank(text):
    search = parse(text)

    assert search.is_blank
    assert not search.finds_nothing


@pytest.mark.parametrize("text", ["!!! ???", '"', '""', "-", '-""', "* : & | ! ( )", "_ %"])
def test_typed_text_without_a_word_finds_nothing(text):
    search = parse(text)

    assert not search.is_blank
    assert search.finds_nothing


def test_long_text_is_cut_to_its_first_words():
    search = parse(" ".join(f"w{n}" for n in range(100)) + " " + "x" * 10_000)

    assert [term[0] for term in search.wanted] == [f"w{n}" for n in range(MAX_WORDS)]
    # Words in phrases count too, and a phrase is cut rather than dropped.
    phrase = parse('"' + " ".join("abcdefghijklmnop") + '"')
    assert phrase.wanted == (tuple("abcdefghij"),)


def test_the_database_expressions_quote_every_word_and_want_its_start():
    search = parse('refund "late parcel" -near')

    assert search_tsquery(search) == "('refund':*) & ('late':* <-> 'parcel':*) & !(('near':*))"
    assert fts5_match(search.wanted) == '("refund"*) AND ("late"* + "parcel"*)'
    assert fts5_match(search.excluded, "OR") == '("near"*)'
