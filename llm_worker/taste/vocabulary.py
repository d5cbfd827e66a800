"""The words the grounded parser knows, in English and Korean (plain data, no Django imports).

Terms are written naturally ("science fiction", "로맨틱 코미디"); the parser tokenizes them the
way it tokenizes the user's text. A Korean term matches the start of a word, so particles and
endings may follow ("액션은", "잔잔한", "잔잔하고"), except the terms in KO_WHOLE_WORD.
Genre targets are lists of candidates: the first one the catalogue has is used (TMDb's "Family"
or MovieLens' "Children"); a genre the catalogue lacks is reported, never invented.
"""

from __future__ import annotations

# term -> genres it asks for (all of them); each genre is a tuple of catalogue-name candidates
_G = {
    "action": ("Action",), "adventure": ("Adventure",), "animation": ("Animation",),
    "children": ("Children", "Family"), "family": ("Family", "Children"), "comedy": ("Comedy",),
    "crime": ("Crime",), "documentary": ("Documentary",), "drama": ("Drama",),
    "fantasy": ("Fantasy",), "noir": ("Film-Noir",), "horror": ("Horror",), "imax": ("IMAX",),
    "musical": ("Musical", "Music"), "mystery": ("Mystery",), "romance": ("Romance",),
    "scifi": ("Sci-Fi", "Science Fiction"), "thriller": ("Thriller",), "war": ("War",),
    "western": ("Western",), "history": ("History",), "music": ("Music", "Musical"),
}  # fmt: skip
GENRE_TERMS: dict[str, tuple[tuple[str, ...], ...]] = {
    term: tuple(_G[g] for g in genres.split())
    for term, genres in {
        "action": "action", "action movie": "action", "액션": "action",
        "adventure": "adventure", "adventures": "adventure", "모험": "adventure",
        "어드벤처": "adventure",
        "animation": "animation", "animated": "animation", "cartoon": "animation",
        "cartoons": "animation", "애니메이션": "animation", "만화영화": "animation",
        "kids": "children", "children": "children", "children's": "children",
        "family": "family", "family-friendly": "family", "어린이": "children",
        "가족 영화": "family", "가족영화": "family", "키즈": "children",
        "comedy": "comedy", "comedies": "comedy", "코미디": "comedy", "코메디": "comedy",
        "rom-com": "romance comedy", "romcom": "romance comedy", "rom com": "romance comedy",
        "romantic comedy": "romance comedy", "romantic comedies": "romance comedy",
        "로맨틱 코미디": "romance comedy", "로맨틱코미디": "romance comedy",
        "로코": "romance comedy",
        "crime": "crime", "gangster": "crime", "mafia": "crime", "범죄": "crime",
        "갱스터": "crime",
        "documentary": "documentary", "documentaries": "documentary", "다큐": "documentary",
        "다큐멘터리": "documentary",
        "drama": "drama", "dramas": "drama", "드라마": "drama",
        "fantasy": "fantasy", "판타지": "fantasy",
        "noir": "noir", "film noir": "noir", "film-noir": "noir", "누아르": "noir",
        "느와르": "noir",
        "horror": "horror", "slasher": "horror", "공포": "horror", "호러": "horror",
        "imax": "imax",
        "musical": "musical", "musicals": "musical", "뮤지컬": "musical",
        "mystery": "mystery", "mysteries": "mystery", "whodunit": "mystery",
        "미스터리": "mystery", "미스테리": "mystery", "추리": "mystery",
        "romance": "romance", "romantic": "romance", "love story": "romance",
        "로맨스": "romance", "멜로": "romance", "연애": "romance",
        "sci-fi": "scifi", "scifi": "scifi", "sci fi": "scifi", "sf": "scifi",
        "science fiction": "scifi", "science-fiction": "scifi", "공상과학": "scifi",
        "에스에프": "scifi",
        "thriller": "thriller", "thrillers": "thriller", "suspense": "thriller",
        "스릴러": "thriller", "서스펜스": "thriller",
        "war": "war", "war movie": "war", "전쟁": "war",
        "western": "western", "westerns": "western", "cowboy": "western", "서부극": "western",
        "서부": "western", "웨스턴": "western",
        "history": "history", "historical": "history", "역사": "history", "사극": "history",
        "music": "music", "음악": "music",
    }.items()
}  # fmt: skip

# term -> ("language" | "country", values); languages are ISO 639-1 original-language codes
_L = {
    "ko": ("language", ("ko",)), "ja": ("language", ("ja",)), "zh": ("language", ("zh", "cn")),
    "cn": ("language", ("cn",)), "fr": ("language", ("fr",)), "de": ("language", ("de",)),
    "es": ("language", ("es",)), "it": ("language", ("it",)), "hi": ("language", ("hi",)),
    "ru": ("language", ("ru",)), "sv": ("language", ("sv",)), "da": ("language", ("da",)),
    "en": ("language", ("en",)), "th": ("language", ("th",)), "fa": ("language", ("fa",)),
    "pt": ("language", ("pt",)), "nl": ("language", ("nl",)), "tr": ("language", ("tr",)),
    "no": ("language", ("no", "nb")),
    "us": ("country", ("United States of America",)), "uk": ("country", ("United Kingdom",)),
    "hk": ("country", ("Hong Kong",)), "mx": ("country", ("Mexico",)),
    "au": ("country", ("Australia",)), "ca": ("country", ("Canada",)),
    "ie": ("country", ("Ireland",)), "br": ("country", ("Brazil",)),
}  # fmt: skip
ORIGIN_TERMS: dict[str, tuple[str, tuple[str, ...]]] = {
    term: _L[code]
    for term, code in {
        "korean": "ko", "korea": "ko", "south korean": "ko", "k-movie": "ko", "k-movies": "ko",
        "한국": "ko", "한국어": "ko", "국내": "ko", "국산": "ko",
        "japanese": "ja", "japan": "ja", "일본": "ja", "일본어": "ja",
        "chinese": "zh", "china": "zh", "mandarin": "zh", "중국": "zh", "중국어": "zh",
        "cantonese": "cn", "광동어": "cn",
        "french": "fr", "france": "fr", "프랑스": "fr", "불어": "fr",
        "german": "de", "germany": "de", "독일": "de",
        "spanish": "es", "spain": "es", "spanish-language": "es", "스페인": "es",
        "italian": "it", "italy": "it", "이탈리아": "it",
        "hindi": "hi", "bollywood": "hi", "indian": "hi", "india": "hi", "인도": "hi",
        "russian": "ru", "russia": "ru", "러시아": "ru",
        "swedish": "sv", "sweden": "sv", "스웨덴": "sv",
        "danish": "da", "denmark": "da", "덴마크": "da",
        "english": "en", "english-language": "en", "영어": "en",
        "thai": "th", "태국": "th", "persian": "fa", "iranian": "fa", "이란": "fa",
        "portuguese": "pt", "포르투갈": "pt", "dutch": "nl", "네덜란드": "nl",
        "turkish": "tr", "터키": "tr", "norwegian": "no", "노르웨이": "no",
        "american": "us", "hollywood": "us", "미국": "us", "할리우드": "us", "헐리우드": "us",
        "british": "uk", "england": "uk", "영국": "uk",
        "hong kong": "hk", "홍콩": "hk", "mexican": "mx", "mexico": "mx", "멕시코": "mx",
        "australian": "au", "호주": "au", "canadian": "ca", "캐나다": "ca",
        "irish": "ie", "아일랜드": "ie", "brazilian": "br", "브라질": "br",
    }.items()
}  # fmt: skip
# "anime" is both: Japanese, and animation
ANIME_TERMS = ("anime", "애니", "아니메", "일본 애니", "재패니메이션")
FOREIGN_TERMS = ("foreign", "non-english", "foreign-language", "subtitled")  # not English

# mood term -> canonical English mood (soft preference, matched by text similarity later)
MOOD_TERMS: dict[str, str] = {
    term: mood
    for mood, terms in {
        "slow-burn": "slow-burn|slow burn|slowburn|slow-paced|slow paced|느린 전개|느린 호흡",
        "quiet": "quiet|calm|gentle|understated|subtle|잔잔|조용|차분|담담",
        "light-hearted": "light|lighter|light-hearted|lighthearted|breezy|easygoing|easy"
        "|easy watch|가벼운|가볍",
        "feel-good": "feel-good|feel good|heartwarming|uplifting|wholesome|cozy|cosy|따뜻|훈훈"
        "|힐링|기분 좋은|포근",
        "funny": "funny|hilarious|silly|goofy|witty|make me laugh|웃긴|웃기|유쾌|코믹",
        "dark": "dark|bleak|grim|gritty|darker|어두운|어둡|암울|음울",
        "intense": "intense|tense|gripping|suspenseful|edge of my seat|긴장감|쫄깃|몰입감",
        "sad": "sad|tearjerker|melancholic|melancholy|heartbreaking|make me cry|슬픈|슬프|눈물"
        "|먹먹",
        "moving": "moving|touching|emotional|poignant|감동|감성",
        "thought-provoking": "thought-provoking|thoughtful|cerebral|philosophical|smart"
        "|intelligent|make me think|makes you think|생각할 거리|철학적|여운",
        "mind-bending": "mind-bending|mindbending|twisty|plot twist|twist|twists|반전",
        "scary": "scary|creepy|terrifying|spooky|무서운|무섭|소름|오싹",
        "violent": "violent|gory|bloody|brutal|잔인|폭력적",
        "epic": "epic|sweeping|grand|웅장",
        "character-driven": "character-driven|character driven|character study|character"
        "|인물 중심|캐릭터 중심",
        "atmospheric": "atmospheric|moody|dreamy|hypnotic|몽환|분위기 있는",
        "quirky": "quirky|weird|offbeat|surreal|strange|bizarre|독특|기묘|엉뚱",
        "nostalgic": "nostalgic|nostalgia|추억|향수",
        "inspiring": "inspiring|inspirational|motivational|hopeful|희망|영감",
        "beautiful": "beautiful|visually stunning|gorgeous|stunning|영상미|아름다운|아름답",
        "fun": "fun|entertaining|exciting|thrilling|신나는|신나|재미있는|재밌는|흥미진진",
        "romantic": "sweet|설레|달달",
        "true story": "true story|based on a true story|based on true events|real events|실화",
        "strong female lead": "strong female lead|strong female leads|female-led|female lead"
        "|female leads|female protagonist|여성 주인공|여주인공|여성 서사",
    }.items()
    for term in terms.split("|")
}  # fmt: skip

# Korean terms that must be a whole word (a prefix match would catch other words)
KO_WHOLE_WORD = {"긴", "서부", "애니", "로코", "역사", "음악", "인도", "이란", "터키", "감성"}

# English negation: what follows is not wanted (to the end of the clause or a contrast word)
NEGATORS_EN = (
    "no", "not", "without", "nothing", "none", "never", "don't", "dont", "do not", "doesn't",
    "isn't", "aren't", "won't", "except", "excluding", "exclude", "avoid", "skip", "hate",
    "dislike", "less", "fewer", "anything but", "tired of", "sick of", "other than",
    "apart from", "instead of", "minus", "nor", "neither", "don't want", "dont want",
    "do not want", "don't need", "not in the mood for", "no interest in", "can't stand",
    "cant stand", "not a fan of", "not into", "enough of", "stop",
)  # fmt: skip
SCOPE_END_EN = {
    "but", "instead", "rather", "though", "however", "although", "prefer", "want", "wanna",
    "love", "something", "maybe", "yet", "i", "i'd", "i'm", "give", "show", "more", "also",
    "plus", "just", "only", "please", "especially",
}  # fmt: skip
# Korean negation follows what it negates: "액션 말고", "공포는 싫어", "로맨스 빼고"
NEGATORS_KO = (
    "말고", "말구", "빼고", "빼줘", "빼주", "제외", "싫어", "싫고", "싫은", "싫다", "싫음",
    "별로", "그만", "지겨", "질려", "질렸", "없는", "없이", "아닌", "아니고", "안 좋아",
    "안 보고", "안봐", "안 봐", "노노", "않는", "않은", "않게", "않고", "않았", "않을",
)  # fmt: skip
# Korean words that end a clause: what follows is a new clause
CLAUSE_ENDS_KO = ("지만", "는데", "은데", "인데", "니까", "고요", "그리고", "대신")

LIKE_CUES_EN = (
    "like", "similar to", "in the vein of", "such as", "reminds me of", "reminiscent of",
    "along the lines of", "same vibe as", "in the style of", "as good as", "resembling",
    "comparable to", "the likes of", "akin to",
)  # fmt: skip
LIKE_CUES_KO = ("같은", "같이", "처럼", "비슷한", "비슷하게", "느낌", "스타일", "류의", "닮은")
NOT_LIKE_EN = ("would like", "i'd like", "id like", "i would like", "feel like")

DIRECTOR_CUES_EN = ("directed by", "by director", "director", "by", "from director", "films by",
                    "movies by")  # fmt: skip
CAST_CUES_EN = ("starring", "with", "featuring", "actor", "actress", "played by", "acted by",
                "stars")  # fmt: skip
DIRECTOR_CUES_KO = ("감독",)
CAST_CUES_KO = ("주연", "출연", "나오는", "나온", "배우")
ABOUT_CUES_EN = ("about", "with", "featuring", "involving", "where", "that has", "that have")
ABOUT_CUES_KO = ("관한", "대한", "다룬", "다루는", "이야기")

RESET_TERMS = (
    "start over", "start again", "something else entirely", "forget that", "forget everything",
    "from scratch", "something completely different", "new search", "reset",
    "처음부터", "다 잊고", "새로 추천", "전부 잊어", "다른 걸로",
)  # fmt: skip
RECENT_TERMS = ("recent", "new", "newer", "newest", "latest", "modern", "최근", "최신", "요즘")
OLD_TERMS = ("old", "older", "classic", "classics", "vintage", "golden age", "옛날", "고전")
SHORT_TERMS = ("short", "shorter", "quick", "brief", "짧은", "짧게", "짧고", "짧았")
LONG_TERMS = ("long", "longer", "lengthy", "긴", "길게", "길고", "길지", "장편")
SHORT_MAX, LONG_MIN, NOT_LONG_MAX, NOT_SHORT_MIN = 100, 140, 120, 90
RECENT_YEARS = 5  # "recent": within the catalogue's latest five years
OLD_BEFORE = 1980  # "old" / "classic": before this year

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "ninety": 90,
    "한": 1, "두": 2, "세": 3, "네": 4, "1": 1, "2": 2, "3": 3,
}  # fmt: skip
DECADE_WORDS = {
    "twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
    "seventies": 1970, "eighties": 1980, "nineties": 1990, "noughties": 2000,
    "two thousands": 2000, "aughts": 2000,
}  # fmt: skip
PART_OF_DECADE = {"early": (0, 3), "mid": (3, 6), "late": (6, 9), "초반": (0, 3),
                  "중반": (3, 6), "후반": (6, 9), "초": (0, 3), "말": (6, 9)}  # fmt: skip

# Words too common to be a bare title, a surname or a keyword on their own
_COMMON = """
    a about above after again against all also am an and any anything are around as at be
    because been before being below between both but by can could did do does doing down during
    each else enough even ever every few film films for from further get give go good great had
    has have having he her here hers him his how i if in into is it its just kind know last let
    like little look lot love made make man many maybe me men more most movie movies much must
    my need new next nice no nor not now of off old on once one only or other our out over own
    people please pick really recommend right same see seen should show similar so some
    something somewhere still such sure take than that the their them then there these they
    thing things this those though through time to too under until up us very want wanna was
    watch watched way we well were what when where which while who whom why will with woman
    women world would year years yes yet you your tonight today night day evening weekend mood
    feel feeling stuff lately recently best top favorite favourite fan fans own story stories
    life home war man's kid kids girl boy friend friends family big small real true i've i'm
    i'll i'd it's that's what's let's can't won't don't didn't isn't nothing everything someone
    anyone everyone hate enjoy think make makes made cry laugh set date wave studio place city
    town series part end start watching seeing next last first second new great cool awesome
    amazing favorite kind sort type ok okay fine thanks thank maybe perhaps actually really
    pretty quite bit lot something's show shows tv episode season version remake original sequel
"""
COMMON_EN = frozenset(_COMMON.split())
FILLER_KO = ("영화", "작품", "추천", "보고", "싶어", "싶은", "좀", "해줘", "해 줘", "주세요", "줘",
             "알려", "뭐", "있어", "있나", "없나", "찾아", "원해", "좋아", "좋겠")  # fmt: skip

# Korean words for common catalogue keywords (TMDb keywords are English); used only when the
# catalogue has the keyword
KEYWORD_KO = {
    "좀비": "zombie", "시간여행": "time travel", "시간 여행": "time travel", "우주": "space",
    "외계인": "alien", "로봇": "robot", "복수": "revenge", "뱀파이어": "vampire",
    "디스토피아": "dystopia", "인공지능": "artificial intelligence", "슈퍼히어로": "superhero",
    "마법": "magic", "요리": "cooking", "사무라이": "samurai", "해적": "pirate",
    "공룡": "dinosaur", "연쇄살인": "serial killer", "연쇄 살인": "serial killer",
    "강도": "heist", "마약": "drug", "스파이": "spy", "첩보": "spy", "무술": "martial arts",
    "쿵푸": "kung fu", "복싱": "boxing", "권투": "boxing", "야구": "baseball", "감옥": "prison",
    "탈옥": "prison escape", "마녀": "witch", "유령": "ghost", "귀신": "ghost",
    "종말": "post-apocalyptic", "포스트 아포칼립스": "post-apocalyptic", "사이버펑크": "cyberpunk",
}  # fmt: skip
