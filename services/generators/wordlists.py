# ruff: noqa: RUF001, SIM905
"""Language data for picking headline words, in English and Russian (the bot's languages).

Kept as whitespace-separated text: a list literal would put each of ~200 words on a line
of its own. Cyrillic letters look like Latin ones, hence the RUF001 exemption (as in the
locale files)."""

from __future__ import annotations

# Punctuation that ends a phrase in Latin, Cyrillic, CJK and Arabic text. Full stops and
# commas are apart: they end one only outside numbers like 3.5 or 10,000.
PHRASE_BREAKS = '!?;:()[]{}"«»“”…|/\n。！？，、；：「」『』（）،؟'
DASHES = "-–—"
APOSTROPHES = "'’"

STOPWORDS = frozenset(
    """a an the and or but of to in on at for with from by as is are was were be been being
    it its this that these those i me my we our you your he she they them his her their what
    which who so than then there here not no do does did have has had will would can could
    should just very about into over after before up down out if all some any one video
    youtube check thanks thank
    и в во на с со к по за из у о об от до для не но а что это как то же ли бы мы вы я он
    она они его ее её их мой моя мое моё мои твой наш ваш все всё так там тут еще ещё уже или
    про видео ютуб""".split()
)

# Words about the request, not the video: "make a thumbnail about ..." must not headline.
META_WORDS = frozenset(
    """make create generate draw design thumbnail thumbnails please preview сделай сделать
    создай нарисуй превью обложку обложка пожалуйста""".split()
)

# Words that make viewers click; a headline built around one of them wins.
POWER_WORDS = frozenset(
    """secret secrets best worst insane ultimate never crazy shocking free top easy fast why
    how vs new first last million billion biggest huge real truth win fail epic impossible
    hack hacks mistake mistakes proof warning exposed banned finally tested challenge
    секрет секреты лучший худший никогда правда топ шок бесплатно быстро почему новый
    первый последний миллион ошибка ошибки""".split()
)
