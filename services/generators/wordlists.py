# ruff: noqa: RUF001, RUF003, SIM905
"""Language data for picking headline words in the bot's languages: English, Russian, Spanish.

Kept as whitespace-separated text: a list literal would put each of ~400 words on a line
of its own. Cyrillic letters look like Latin ones, hence the RUF001 exemption (as in the
locale files). Words are lowercase; the picker compares lowercased words."""

from __future__ import annotations

# Punctuation that ends a phrase in Latin, Cyrillic, CJK and Arabic text. Full stops, commas,
# colons and slashes are apart: they end one only outside numbers like 3.5, 10,000, 24/7, 5:30.
PHRASE_BREAKS = '!?¡¿;()[]{}<>"«»“”„…|\n。！？，、；：「」『』（）【】،؟'
APOSTROPHES = "'’"
# Any of these, or a hyphen with spaces around it, separates two phrases ("Artist - Song").
DASHES = "–—"
# Currency signs that can stand apart from their number ("500 €", "€ 500").
CURRENCY_SIGNS = "$€£¥₽₴₸₹₩₺₿"

# A full stop after these shortens a word, it does not end the phrase ("vs. Pixel 8").
ABBREVIATIONS = frozenset("vs mr mrs ms dr st ep pt vol feat ft jr sr sra srta dra".split())

ARTICLES = frozenset("a an the el la los las lo un una unos unas".split())

PREPOSITIONS = frozenset(
    """about above across after against along amid among around at before behind below
    beneath beside besides between beyond by despite down during except for from in inside
    into near of off on onto out outside over past per since through throughout till to
    toward towards under underneath until up upon via with within without
    без безо в во для до за из изо из-за из-под к ко кроме между на над надо о об обо около
    от ото перед передо по под подо при про ради с со сквозь среди у через после вокруг
    вместо возле против мимо
    a al ante bajo con contra de del desde durante en entre hacia hasta mediante para por
    según sin sobre tras""".split()
)

# Words that join two parts: a headline neither ends on one nor (the first few) starts on one.
CONJUNCTIONS = frozenset(
    """and or but nor yet so because if when while although though unless whether that than
    as & +
    и а но или либо что чтобы если когда пока хотя потому зато ведь чем как
    y e o u ni pero sino que porque aunque si cuando mientras como pues""".split()
)
# The conjunctions that lean on the words before them: "... AND", "THAN ...", "PERO ...".
# "of" and "de" tie a noun to the one before: "OF A SOFTWARE ENGINEER" starts mid-phrase.
JOINING = frozenset(
    "and or but nor than of & + и а но или либо чем y e o u ni pero sino que de del".split()
)
VERSUS = frozenset("vs versus".split())

# Words that lead into the next one: "I SPENT $500 ON MY", "Я НЕ" are not finished, and a
# headline that starts after a negation ("NO | PUEDO CREER") says the opposite.
LEAD_INS = frozenset(
    """my your our their its every each very gonna wanna gotta will would can could should
    must might shall no not never don't doesn't didn't won't can't isn't aren't
    мой моя моё мое мои твой твоя твоё твое твои наш наша наше наши ваш ваша ваше ваши свой
    своя своё свое свои очень самый самая самое самые самом самого самой самых самым не ни
    никогда буду будет будем будут один одна одно
    mi mis tu tus su sus nuestro nuestra nuestros nuestras vuestro vuestra cada muy nunca
    jamás te se le les nos os""".split()
)

# A phrase of one of these and a number only numbers a video in its series ("| Episode 3").
SERIES_WORDS = frozenset(
    """episode ep part pt season chapter vol volume серия часть выпуск сезон глава эпизод
    episodio parte capítulo temporada cap""".split()
)

# Spelled-out magnitudes count as numbers ("заработал МИЛЛИОН"), currencies make one a price.
NUMBER_WORDS = frozenset(
    """thousand million millions billion billions
    тысяча тысячи тысяч миллион миллиона миллионов миллиард миллиарда миллиардов тыс млн млрд
    mil millón millones billón billones""".split()
)
CURRENCY_WORDS = frozenset(
    """dollar dollars bucks euro euros pound pounds usd eur rub
    доллар доллара долларов бакс бакса баксов рубль рубля рублей руб евро
    dólar dólares peso pesos""".split()
)

# Filler: allowed inside a headline, never what makes it.
STOPWORDS = (
    ARTICLES
    | PREPOSITIONS
    | CONJUNCTIONS
    | LEAD_INS
    | frozenset(
        """is are was were be been being it this these those i me we you he she they them his
        her what which who then there here not no do does did have has had will would can could
        should just all some any one video youtube check thanks thank
        я мы вы он она они его ее её их это то же ли бы все всё так там тут еще ещё уже видео
        ютуб
        se le les me te nos es son fue ser está están yo él ella ellos esto eso este esta ese
        esa todo todos más ya también hay video vídeo""".split()
    )
)

# Words about the request, not the video: "make a thumbnail about ..." must not headline.
META_WORDS = frozenset(
    """thumbnail thumbnails preview please превью обложку обложка обложки миниатюру пожалуйста
    miniatura portada""".split()
)
# Verbs that ask for the picture; with a META word soon after they are the request itself.
REQUEST_VERBS = frozenset(
    """make create generate draw design do сделай сделайте создай создайте нарисуй нарисуйте
    сгенерируй haz hazme crea créame genera diseña dibuja""".split()
)

# Words that make viewers click; a headline built around one of them wins.
POWER_WORDS = frozenset(
    """secret secrets best worst insane ultimate never crazy shocking free top easy fast why
    how new first last biggest huge real truth win fail epic impossible hack hacks mistake
    mistakes proof warning exposed banned finally tested challenge vs versus
    секрет секреты лучший худший никогда правда топ шок бесплатно быстро почему новый
    первый последний ошибка ошибки
    secreto secretos mejor peor nunca increíble gratis nuevo primero último verdad error
    errores truco trucos reto imposible épico fácil rápido cómo qué""".split()
)
