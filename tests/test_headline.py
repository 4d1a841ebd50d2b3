# ruff: noqa: RUF001
"""The headline picker on a corpus of 230 video titles in English, Russian and Spanish
(tests/data/titles.txt), in the wide text box and the narrow one: every rule is checked for
every title, and the cases from the issue have their exact headlines.

The rules, as a viewer would check them against the title:
1. a title with numbers keeps one of its strongest (a price beats a plain number), whole;
2. the headline is a complete phrase: it does not start on a joining word ("AND", "VS",
   "OF", "QUE"; "IF"/"ЕСЛИ" may start one, they open a clause), does not end on a
   preposition, article, conjunction or "vs" unless the title's own phrase ends there
   ("WHAT ARE YOU LOOKING AT"), and does not part a number from the word it counts;
3. its words appear in the title in that order, next to each other, within one phrase
   (phrases end at . ! ? : ; | ( ) quotes and spaced dashes), at most MAX_WORDS words and
   max_chars letters;
4. no link, video id, slug, lone "#" or emoji is drawn;
5. a title with any words gets a headline;
6. a phrase that fits is kept whole ("NEVER GONNA GIVE YOU UP", "IPHONE 15 VS PIXEL 8").
Numbers, prices, bracketed asides ("(Official Video)", "[4K]"), hashtags and series markers
("| Episode 3") are found here with plain regular expressions, not with the picker's code.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.generators.headline import MAX_CHARS, MAX_WORDS, pick_headline, pick_snug_headline
from services.generators.wordlists import (
    ARTICLES,
    CONJUNCTIONS,
    CURRENCY_WORDS,
    JOINING,
    NUMBER_WORDS,
    PREPOSITIONS,
    SERIES_WORDS,
    STOPWORDS,
    VERSUS,
)

CORPUS = Path(__file__).parent / "data" / "titles.txt"
WIDTHS = (MAX_CHARS, 20)  # the wide text box, and the narrow one beside a face or a picture

NEVER_FIRST = JOINING | VERSUS
NEVER_LAST = ARTICLES | PREPOSITIONS | CONJUNCTIONS | VERSUS
CURRENCY = "$€£¥₽"
BREAK_CHARS = '.,!?¡¿:;|()[]{}"«»“”„…/–—'
LINK = re.compile(r"\S*(?:://|www\.)\S*|\S+\.(?:com|be|ru)/\S*")
VIDEO_ID = re.compile(r"(?<![\w-])[A-Za-z0-9_-]{11}(?![\w-])")
SLUG = re.compile(r"(?<![\w-])[a-z0-9]+(?:[-_][a-z0-9]+){2,}(?![\w-])")
ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|(?<![\w#])#\w*[^\W\d_]\w*")
PHRASE_BREAK = re.compile(r"[!?¡¿;:|()\[\]{}\"«»“”„…\n–—]|\s-+\s|(?<!\d)[.,/]|[.,/](?!\d)")
# Spaces that belong to a number: "1 000 000", "500 €", "№ 1".
NUMBER_SPACE = re.compile(
    rf"(?<=\d) (?=\d{{3}}(?!\d))|(?<=\d) (?=[{CURRENCY}%](?!\w))|(?<=[{CURRENCY}№]) (?=\d)"
)
WORD = re.compile(r"[\w$€£¥₽%#№+\-−×&'’.,:/ ]*\w[\w$€£¥₽%#№+\-−×&'’.,:/ ]*|[&+]")


@dataclass(frozen=True)
class Title:
    language: str
    text: str


def load_titles() -> list[Title]:
    """The corpus: "language<TAB>title" lines; "#" lines without a tab are comments."""
    titles = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            language, text = line.split("\t", 1)
            titles.append(Title(language, text))
    return titles


TITLES = load_titles()


def is_video_id(token: str) -> bool:
    """11 characters of [A-Za-z0-9_-] mixing upper case, lower case and digits."""
    kinds = (any(c.isupper() for c in token), any(c.islower() for c in token))
    return bool(VIDEO_ID.fullmatch(token)) and all(kinds) and any(c.isdigit() for c in token)


def without_junk(text: str) -> str:
    """The title with links, video ids and slugs replaced by a phrase break, and without
    the full stop of "vs." (it shortens a word, it does not end the phrase)."""
    text = LINK.sub(" | ", text)
    text = VIDEO_ID.sub(lambda m: " | " if is_video_id(m.group()) else m.group(), text)
    return re.sub(r"\b(vs|ft|feat)\.", r"\1", SLUG.sub(" | ", text), flags=re.IGNORECASE)


def main_text(text: str) -> str:
    """What the title is about: no junk, no bracketed asides or hashtags, no phrase that
    only numbers the video in its series."""
    phrases = PHRASE_BREAK.split(ASIDE.sub(" | ", without_junk(text)))
    series = re.compile(rf"(?i)\s*(?:{'|'.join(SERIES_WORDS)})\.?\s*#?\d+\s*")
    return " | ".join(phrase for phrase in phrases if not series.fullmatch(phrase))


def tokens(text: str) -> list[str]:
    """The title's words as written, uppercase, a number with its own spaces as one word,
    without the punctuation and emoji around them."""
    glued = NUMBER_SPACE.sub("\x00", text)
    words = []
    for chunk in glued.split():
        word = re.sub(r"^[^\w$€£¥₽#№+\-−&]+|[^\w$€£¥₽%#+&]+$", "", chunk)
        words.append(re.sub(r"[^\w$€£¥₽%#№+\-−×&'’.,:/\x00]", "", word).replace("\x00", " "))
    return [word.upper() for word in words if re.search(r"\w|^[&+]$", word)]


def numbers(text: str) -> dict[str, int]:
    """The numbers of `text` as written (uppercase) with their strength: 2 for a price
    (a currency sign, or a currency word after it), 1 for any other number."""
    words = tokens(text)
    found: dict[str, int] = {}
    for index, word in enumerate(words):
        if word.lower() in NUMBER_WORDS or any(c.isdigit() for c in word):
            after = (w.lower() for w in words[index + 1 :] if w.lower() not in NUMBER_WORDS)
            priced = any(c in CURRENCY for c in word) or next(after, "") in CURRENCY_WORDS
            found[word] = max(found.get(word, 0), 2 if priced else 1)
    return found


def phrases(text: str) -> list[list[str]]:
    """The phrases of the title's main text as words, without the joining words a phrase
    may open with ("Minecraft, BUT every block ...")."""
    result = []
    for phrase in PHRASE_BREAK.split(main_text(text)):
        words = tokens(phrase)
        while words and words[0].lower() in NEVER_FIRST:
            words.pop(0)
        if words:
            result.append(words)
    return result


def locate(words: tuple[str, ...], text: str) -> re.Match[str] | None:
    """Where the words stand in the title, in order, with only spaces and symbols other
    than phrase breaks between them."""
    gap = rf"[^\w{re.escape(BREAK_CHARS)}]*\s[^\w{re.escape(BREAK_CHARS)}]*"
    pattern = r"(?<!\w)" + gap.join(re.escape(word) for word in words) + r"(?!\w)"
    return re.search(pattern, without_junk(text).upper())


def fits(words: list[str] | tuple[str, ...], max_chars: int) -> bool:
    return len(words) <= MAX_WORDS and len(" ".join(words)) <= max_chars


@pytest.fixture(params=TITLES, ids=[f"{i:03}-{t.language}" for i, t in enumerate(TITLES)])
def title(request: pytest.FixtureRequest) -> Title:
    return request.param


def test_the_corpus_is_big_and_speaks_the_bots_languages() -> None:
    languages = Counter(title.language for title in TITLES)
    assert len(TITLES) >= 200
    assert set(languages) == {"en", "ru", "es"}
    assert min(languages.values()) >= 50


def test_the_rule_words_cover_the_three_languages() -> None:
    """The words the rules name, in each language the bot speaks."""
    assert {"under", "on", "the", "a", "and", "vs"} <= NEVER_LAST
    assert {"под", "на", "за", "для", "и", "или"} <= NEVER_LAST
    assert {"bajo", "en", "para", "el", "la", "y", "o"} <= NEVER_LAST
    assert {"and", "or", "but", "vs", "и", "но", "y", "pero", "que"} <= NEVER_FIRST
    assert {"dollars", "долларов", "рублей", "dólares", "euros"} <= CURRENCY_WORDS


@pytest.mark.parametrize("max_chars", WIDTHS)
def test_every_title_gets_a_complete_headline(title: Title, max_chars: int) -> None:
    headline = pick_headline(title.text, max_chars)
    words = headline.words
    text = " ".join(words)

    # 5: a title with words gets a headline; one that is only a link or an id gets none.
    has_words = any(phrases(title.text)) or bool(ASIDE.search(title.text))
    assert bool(headline) == has_words, title
    if not headline:
        return
    assert 0 <= headline.emphasis < len(words)

    # 3: a run of the title's words, within one phrase, within the limits.
    assert fits(words, max_chars), (title, text)
    match = locate(words, title.text)
    assert match is not None, (title, text)

    # 4: no link, video id, slug, lone "#" or emoji.
    assert all(WORD.fullmatch(word) for word in words), (title, text)
    assert not any(word == "#" or re.match(r"#[^\W\d]", word) for word in words), (title, text)
    junk = [m.group().upper() for m in VIDEO_ID.finditer(title.text) if is_video_id(m.group())]
    junk += [m.group().upper() for m in SLUG.finditer(title.text)]
    assert not any(piece in text for piece in junk), (title, text)
    assert not re.search(r"://|WWW\.|\.COM|YOUTU\.BE", text), (title, text)

    # 2: a complete phrase.
    assert words[0].lower() not in NEVER_FIRST, (title, text)
    rest = without_junk(title.text).upper()[match.end() :]
    phrase_ends = not re.match(rf"[^\w{re.escape(BREAK_CHARS)}]*\w", rest)
    last = words[-1].lower()
    assert last not in NEVER_LAST or (last in PREPOSITIONS and phrase_ends), (title, text)
    counted = re.match(r"\s+(\w+)", rest)
    if any(c.isdigit() for c in words[-1]) and counted:
        assert counted.group(1).lower() in STOPWORDS | VERSUS, (title, text)

    # 1: one of the strongest numbers, whole.
    found = numbers(main_text(title.text))
    if found:
        strongest = max(found.values())
        kept = [n for n, tier in found.items() if tier == strongest and n in words]
        assert kept, (title, text, found)

    # 6: a phrase that fits is never cut.
    for phrase in phrases(title.text):
        if fits(phrase, max_chars) and locate(words, " ".join(phrase)):
            assert list(words) == phrase, (title, text, phrase)


def test_versus_phrases_keep_both_sides() -> None:
    """Every title whose first phrase is "X vs Y" and fits keeps all of it."""
    checked = 0
    for title in TITLES:
        first = phrases(title.text)[0] if phrases(title.text) else []
        for max_chars in WIDTHS:
            if {"VS", "VERSUS"} & set(first[1:-1]) and fits(first, max_chars):
                assert list(pick_headline(title.text, max_chars).words) == first, title
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        # The issue: prices dropped, cuts ending on "UNDER", starting on "VS", stopping on
        # "NEVER GONNA GIVE", a video id drawn as a word.
        ("$500 Phone vs $1000 Phone", MAX_CHARS, "$500 PHONE VS $1000 PHONE"),
        ("I Spent $500 on Amazon Mystery Boxes", 20, "SPENT $500 ON AMAZON"),
        ("Best Phones Under $500", MAX_CHARS, "BEST PHONES UNDER $500"),
        ("Best Phones Under $500 in 2024 - Buyer's Guide", 20, "UNDER $500 IN 2024"),
        ("iPhone 15 vs Pixel 8", 20, "IPHONE 15 VS PIXEL 8"),
        ("iPhone 15 vs. Pixel 8: Which Camera Is Actually Better?", 20, "IPHONE 15 VS PIXEL 8"),
        (
            "Rick Astley - Never Gonna Give You Up (Official Music Video)",
            MAX_CHARS,
            "NEVER GONNA GIVE YOU UP",
        ),
        # Too long for the narrow box: another whole phrase, not a piece of the song.
        ("Rick Astley - Never Gonna Give You Up (Official Music Video)", 20, "RICK ASTLEY"),
        ("dQw4w9WgXcQ", MAX_CHARS, ""),
        ("https://youtu.be/dQw4w9WgXcQ", MAX_CHARS, ""),
        ("my-first-vlog-2024", MAX_CHARS, ""),
        ("My First Vlog | my-first-vlog-2024", MAX_CHARS, "MY FIRST VLOG"),
        ("Watch the full video: https://youtu.be/dQw4w9WgXcQ", MAX_CHARS, "WATCH THE FULL VIDEO"),
        # The same in Russian and Spanish.
        ("Я потратил 1000$ на самые дешёвые товары", 20, "Я ПОТРАТИЛ 1000$"),
        ("Я потратил 1 000 000 ₽ за один день", MAX_CHARS, "Я ПОТРАТИЛ 1 000 000 ₽"),
        ("Gasté 500 € en la tienda más cara de Madrid", 20, "GASTÉ 500 €"),
        ("El mejor móvil por menos de 300 €", 20, "POR MENOS DE 300 €"),
        ("NO PUEDO CREER LO QUE PASÓ", MAX_CHARS, "NO PUEDO CREER"),
        ("Minecraft, pero cada bloque es TNT", MAX_CHARS, "CADA BLOQUE ES TNT"),
        # Asides and series numbers only when nothing else is there.
        ("Building a Log Cabin in the Woods | Episode 3", MAX_CHARS, "BUILDING A LOG CABIN"),
        ("Relaxing Rain Sounds for Sleep (10 Hours)", MAX_CHARS, "RELAXING RAIN SOUNDS FOR SLEEP"),
        ("#shorts Смешные коты", MAX_CHARS, "СМЕШНЫЕ КОТЫ"),
        ("(Official Video)", MAX_CHARS, "OFFICIAL VIDEO"),
    ],
)
def test_issue_examples(text: str, max_chars: int, expected: str) -> None:
    assert " ".join(pick_headline(text, max_chars).words) == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("I Spent $500 on a Gaming PC", "$500"),
        ("How I Made $10,000 in One Week", "$10,000"),
        ("Я потратил 1000$ за один день", "1000$"),
        ("Gasté 500 € en ropa", "500 €"),
        ("Los 10.000 pasos diarios son un mito", "10.000"),
        ("3,5 миллиона просмотров за неделю", "3,5"),
        ("№1 в мире по продажам", "№1"),
        ("The #1 Mistake Beginners Make", "#1"),
        ("How to Save 100% of Your Money", "100%"),
        ("Скорость x10 после этой настройки", "x10"),
        ("Скидка −50% на всё", "−50%"),
        ("Learn C++ in 30 Minutes", "C++"),
    ],
)
def test_numbers_stay_whole(text: str, number: str) -> None:
    assert number.upper() in pick_headline(text, 20).words


def test_brand_names_are_not_video_ids() -> None:
    """A camel-case name of 11 characters is a word; a random-looking one is an id."""
    assert "IPHONE15PRO" in pick_headline("iPhone15Pro unboxing").words
    assert "MRBEAST2024" in pick_headline("MrBeast2024 recap").words
    assert not pick_headline("jNQXAC9IVRw")
    assert not pick_headline("AbCdEfGhIjK")


def test_a_long_prompt_gets_the_headline_of_its_first_sentence() -> None:
    sentence = "I spent a whole year building the ultimate gaming PC and it changed everything. "
    prompt = (sentence * 25)[:2000]

    assert " ".join(pick_headline(prompt).words) == "BUILDING THE ULTIMATE GAMING PC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Never Gonna Give You Up", "NEVER GONNA GIVE YOU UP"),  # 23 letters: stretched
        ("Rick Astley - Never Gonna Give You Up (Official Music Video)", "RICK ASTLEY"),
        ("iPhone 15 vs Pixel 8", "IPHONE 15 VS PIXEL 8"),
    ],
)
def test_a_narrow_box_stretches_rather_than_cut_a_phrase(text: str, expected: str) -> None:
    assert " ".join(pick_snug_headline(text, 20, 26).words) == expected


def test_a_snug_headline_is_never_a_piece_of_the_roomy_one(title: Title) -> None:
    snug = pick_snug_headline(title.text, 20, 26).words
    roomy = pick_headline(title.text, 26).words
    assert len(" ".join(snug)) <= 26
    assert snug == roomy or not any(
        roomy[i : i + len(snug)] == snug for i in range(len(roomy) - len(snug) + 1)
    )
