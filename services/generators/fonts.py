"""The bundled headline fonts a brand kit chooses from (FONTS: key -> display name, file).

Each is a bold display face from a pip font package (requirements.txt pins them), under the
SIL Open Font License or Apache 2.0, so it ships with the bot and looks the same on every
machine. They look clearly different on purpose: a creator's channel is recognised by its
lettering. A headline in a brand font still falls back to the machine's fonts for the
letters the brand font lacks (Fredoka One has no Cyrillic, for instance).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.generators.render_text import FontSource, font_sources, packaged_font


@dataclass(frozen=True)
class HeadlineFont:
    """One bundled font: the key a brand kit stores and the name its button shows."""

    key: str
    name: str  # shown on the /style buttons
    module: str  # the pip package that ships it (found without importing it)
    file: str  # its path inside the package

    @property
    def source(self) -> FontSource | None:
        """The font file, or None when its package is not installed."""
        path = packaged_font(self.module, self.file)
        return FontSource(path) if path else None


FONTS: dict[str, HeadlineFont] = {
    font.key: font
    for font in (
        HeadlineFont("heavy", "Roboto Black", "font_roboto", "files/Roboto-Black.ttf"),
        HeadlineFont("condensed", "Fjalla One", "font_fjallaone", "files/FjallaOne-Regular.ttf"),
        HeadlineFont("rounded", "Fredoka One", "font_fredoka_one", "files/FredokaOne-Regular.ttf"),
        HeadlineFont(
            "geometric", "Red Hat Display Black", "font_rhd", "files/RedHatDisplay-Black.ttf"
        ),
    )
}
DEFAULT_FONT = "heavy"  # what a thumbnail without a brand font is lettered in


def headline_fonts(key: str | None) -> tuple[FontSource, ...]:
    """The fonts to letter a headline with, best first: the brand's font (an unknown key or
    a missing package is no font), then the machine's usual ones for any letter it lacks."""
    font = FONTS.get(key or "")
    chosen = font.source if font else None
    machine = font_sources()
    if chosen is None:
        return machine
    return (chosen, *(source for source in machine if source != chosen))
