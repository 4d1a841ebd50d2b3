"""Which words a thumbnail shows, in which font: shared by every generator, so the local
renderer and the Replicate overlay letter a request the same way.

The user's exact headline wins when there is one (an edit's "change the headline to ...");
otherwise the strongest words of the request's text, and each variation takes another
wording when the text has one, so variants for an A/B test don't all say the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.generators.fonts import headline_fonts
from services.generators.headline import FALLBACK, Headline, exact_headline, pick_headlines
from services.generators.render_text import PreparedHeadline, prepare_headline

WORDINGS = 3  # different headlines a text offers its variations, at most


def choose_headline(
    sources: Iterable[str | None],
    variation: int = 0,
    *,
    max_chars: int,
    stretch_chars: int | None = None,
    exact: str | None = None,
    font: str | None = None,
) -> PreparedHeadline:
    """The headline to draw: `exact` as written if a font can draw it, else a wording of
    the first source a font can draw (the variation's among its alternatives), else a
    generic call to watch; lettered in the brand `font` (a key of FONTS) where it has the
    glyphs. `max_chars` (and `stretch_chars`, see pick_snug_headline) size it to its box."""
    fonts = headline_fonts(font)
    if exact and exact.strip():
        prepared = prepare_headline(exact_headline(exact), fonts)
        if prepared is not None:
            return prepared
    for source in sources:
        choices = pick_headlines(source, max_chars, WORDINGS, stretch_chars)
        for turn in range(len(choices)):
            prepared = prepare_headline(choices[(variation + turn) % len(choices)], fonts)
            if prepared is not None:
                return prepared
    fallback = prepare_headline(Headline(FALLBACK, len(FALLBACK) - 1), fonts)
    assert fallback is not None  # plain ASCII: every font draws it
    return fallback
