"""English text of the grounded engine (str.format templates; see `llm_worker.phrases`)."""

TITLE = "{title}"
LIST_SEP = ", "
LIST_AND = " and "
MORE = "{listed} and {n} more"
KEYWORD = "“{value}”"
VERB = {True: "liked", False: "watched"}  # the user liked the movie, or only watched it

# -- the persona ---------------------------------------------------------------------------------
SUMMARY_EMPTY = "No watched movies yet, so there is no taste to infer. Pick a few movies."
SUMMARY_VARIED = "Your {n} movies are varied; no clear pattern stands out yet."
SUMMARY = "From your {n} movies: you favour {traits}."
TRAIT = {
    "genre": "{value} films",
    "director": "films by {value}",
    "keyword": "the {value} theme",
    "decade": "films from the {value}s",
}
# One reason per trait, counting the user's movies that have it (the page cites them all);
# the frames of a kind rotate along the list, so two reasons in a row never read alike.
TRAIT_REASON = {
    "genre": (
        "{count} of your {total} movies are {value} films.",
        "{value} keeps coming back: {count} of your {total} movies.",
        "You often pick {value}: {count} of your {total} movies.",
    ),
    "director": (
        "{count} of your {total} movies are by {value}.",
        "You have seen {count} films by {value}.",
    ),
    "keyword": (
        "{count} of your {total} movies share the {value} theme.",
        "The {value} theme runs through {count} of your movies.",
    ),
    "decade": (
        "{count} of your {total} movies are from the {value}s.",
        "The {value}s stand out: {count} of your {total} movies.",
    ),
}
RARELY = "rarely watches {value}"
TOLD_LIKED = "{trait} (you told us)"
TOLD_DISLIKED = "{trait}, as you told us"
HEARD = "You told us: “{said}”"

# -- reasons on the cards (each tuple: frames rotated from card to card) -------------------------
MET = {
    "genre": "in the {value} genre",
    "not_genre": "outside the {value} genre",
    "director": "directed by {value}",
    "cast": "starring {value}",
    "keyword": "about {value}",
    "language": "in {value}",
    "country": "from {value}",
    "like": "close to {value}",
    "like_any": "close to the movies you named",
    "mood": "matching your “{value}” mood",
    "decade": "from the {low}s",
    "years": "from {low} to {high}",
    "years_from": "from {low} or later",
    "years_to": "from {high} or earlier",
    "runtime": "{low} to {high} minutes long",
    "runtime_from": "{low} minutes or longer",
    "runtime_to": "{high} minutes or shorter",
}
REASON_MET = (
    "{met}, as you asked.",
    "Just what you asked for: {met}.",
    "It matches your request: {met}.",
)
REASON_DIRECTOR_TITLE = (
    "Directed by {director}, who also made {title}.",
    "Another film by {director}, after {title}, which you {verb}.",
    "From {director}, the director of {title}.",
)
REASON_DIRECTOR_ONE = (
    "Directed by {director}, like a movie you {verb}.",
    "From {director}, who directed a movie you {verb}.",
)
REASON_DIRECTOR_COUNT = (
    "Directed by {director}; you have seen {count} of their films.",
    "From {director}, whose films you keep coming back to: {count} so far.",
)
REASON_GENRES = (
    "{genres}, which you watch often.",
    "{count} of your movies are {genre} films, and so is this one.",
    "More {genres} for you: you have watched {count} {genre} films.",
)
REASON_KEYWORDS = (
    "It shares themes you return to: {keywords}.",
    "{count} of your movies deal with {keyword}, as this one does.",
    "Built around {keywords}, like several of your movies.",
)
REASON_DEFAULT = (
    "Rated highly by viewers with tastes like yours.",
    "Viewers who share your taste rate it highly.",
    "A favourite of people whose picks resemble yours.",
)

# -- the chat ------------------------------------------------------------------------------------
CHAT_ACK = "Here is a new list for that."

# -- names ---------------------------------------------------------------------------------------
LANGUAGES = {
    "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "cn": "Cantonese", "fr": "French",
    "de": "German", "es": "Spanish", "it": "Italian", "hi": "Hindi", "ru": "Russian",
    "sv": "Swedish", "da": "Danish", "en": "English", "th": "Thai", "fa": "Persian",
    "pt": "Portuguese", "nl": "Dutch", "tr": "Turkish", "no": "Norwegian", "nb": "Norwegian",
}  # fmt: skip
COUNTRIES: dict[str, str] = {}  # catalogue names are English already
MOODS: dict[str, str] = {}  # canonical moods are English already
