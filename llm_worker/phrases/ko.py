"""한국어 grounded 문구 (str.format 템플릿; 조사는 "{title:을/를}"처럼 고릅니다)."""

TITLE = "「{title}」"
LIST_SEP = ", "
LIST_AND = ", "
MORE = "{listed} 외 {n}편"
KEYWORD = "'{value}'"
VERB = {True: "좋아하신", False: "보신"}

# -- 취향 프로필 ---------------------------------------------------------------------------------
SUMMARY_EMPTY = "아직 본 영화가 없어 취향을 추론할 수 없습니다. 영화를 몇 편 골라 주세요."
SUMMARY_VARIED = "본 영화 {n}편의 취향이 다양해서 뚜렷한 공통점이 아직 없습니다."
SUMMARY = "본 영화 {n}편을 보면 {traits:을/를} 즐겨 보십니다."
TRAIT = {
    "genre": "{value} 장르",
    "director": "{value} 감독의 영화",
    "keyword": "{value} 소재",
    "decade": "{value}년대 영화",
}
TRAIT_REASON = {
    "genre": (
        "보신 영화 {total}편 중 {count}편이 {value} 장르예요.",
        "{value} 장르를 즐겨 보세요: {total}편 중 {count}편이에요.",
        "{count}편이나 {value} 장르를 고르셨어요.",
    ),
    "director": (
        "보신 영화 {total}편 중 {count}편이 {value} 감독의 영화예요.",
        "{value} 감독의 영화를 {count}편 보셨어요.",
    ),
    "keyword": (
        "보신 영화 {total}편 중 {count}편이 {value} 소재를 다뤄요.",
        "{value} 소재가 {count}편에 걸쳐 나와요.",
    ),
    "decade": (
        "보신 영화 {total}편 중 {count}편이 {value}년대 영화예요.",
        "{value}년대 영화를 {count}편 보셨어요.",
    ),
}
RARELY = "{value} 장르는 거의 보지 않음"
TOLD_LIKED = "{trait} (직접 말씀하심)"
TOLD_DISLIKED = "{trait:은/는} 원하지 않는다고 하심"
HEARD = "직접 알려 주신 취향: “{said}”"

# -- 카드의 추천 이유 (각 튜플의 문장 틀을 카드마다 돌아가며 씁니다) -----------------------------
MET = {
    "genre": "{value} 영화",
    "not_genre": "{value} 장르가 아닌 영화",
    "director": "{value} 감독 작품",
    "cast": "{value} 출연작",
    "keyword": "{value} 소재의 영화",
    "language": "{value} 영화",
    "country": "{value} 영화",
    "like": "{value:과/와} 비슷한 영화",
    "like_any": "말씀하신 영화와 비슷한 영화",
    "mood": "'{value}' 분위기의 영화",
    "decade": "{low}년대 영화",
    "years": "{low}~{high}년 영화",
    "years_from": "{low}년 이후 영화",
    "years_to": "{high}년 이전 영화",
    "runtime": "상영 시간 {low}~{high}분",
    "runtime_from": "{low}분 이상",
    "runtime_to": "{high}분 이하",
}
REASON_MET = (
    "요청하신 대로 {met}입니다.",
    "찾으시던 {met}입니다.",
    "{met:으로/로}, 말씀하신 조건에 맞습니다.",
)
REASON_DIRECTOR_TITLE = (
    "{title}의 {director} 감독 작품입니다.",
    "{director} 감독이 {title}에 이어 연출한 영화입니다.",
    "{verb} {title:과/와} 같은 {director} 감독의 영화입니다.",
)
REASON_DIRECTOR_ONE = (
    "{verb} 영화 한 편과 같은 {director} 감독의 작품입니다.",
    "{director} 감독의 영화로, 이 감독의 작품을 이미 한 편 보셨습니다.",
)
REASON_DIRECTOR_COUNT = (
    "{director} 감독 작품으로, 이 감독의 영화를 {count}편 보셨습니다.",
    "이미 {count}편을 보신 {director} 감독의 영화입니다.",
)
REASON_GENRES = (
    "즐겨 보시는 {genres} 장르의 영화입니다.",
    "본 영화 중 {count}편이 {genre} 장르인데, 이 영화도 그렇습니다.",
    "{genres} 장르를 좋아하신다면 잘 맞을 영화입니다.",
)
REASON_KEYWORDS = (
    "즐겨 보신 {keywords} 소재를 다룹니다.",
    "본 영화 {count}편처럼 {keyword:을/를} 다룹니다.",
    "{keywords} 같은 소재를 좋아하신다면 맞을 영화입니다.",
)
REASON_DEFAULT = (
    "비슷한 취향의 시청자들이 높이 평가한 영화입니다.",
    "취향이 비슷한 시청자들이 즐겨 본 영화입니다.",
    "비슷한 영화를 고른 분들이 좋게 평가했습니다.",
)

# -- 대화 ----------------------------------------------------------------------------------------
CHAT_ACK = "요청을 반영해 추천을 다시 골랐어요."

# -- 이름 ----------------------------------------------------------------------------------------
LANGUAGES = {
    "ko": "한국어", "ja": "일본어", "zh": "중국어", "cn": "광둥어", "fr": "프랑스어",
    "de": "독일어", "es": "스페인어", "it": "이탈리아어", "hi": "힌디어", "ru": "러시아어",
    "sv": "스웨덴어", "da": "덴마크어", "en": "영어", "th": "태국어", "fa": "페르시아어",
    "pt": "포르투갈어", "nl": "네덜란드어", "tr": "튀르키예어", "no": "노르웨이어",
    "nb": "노르웨이어",
}  # fmt: skip
COUNTRIES = {
    "United States of America": "미국", "United Kingdom": "영국", "South Korea": "한국",
    "Korea, Republic of": "한국", "Japan": "일본", "France": "프랑스", "Germany": "독일",
    "China": "중국", "Hong Kong": "홍콩", "Taiwan": "대만", "Italy": "이탈리아",
    "Spain": "스페인", "India": "인도", "Canada": "캐나다", "Australia": "호주",
    "New Zealand": "뉴질랜드", "Mexico": "멕시코", "Ireland": "아일랜드", "Brazil": "브라질",
    "Sweden": "스웨덴", "Denmark": "덴마크", "Norway": "노르웨이", "Russia": "러시아",
}  # fmt: skip
MOODS = {
    "slow-burn": "느린 호흡", "quiet": "잔잔한", "light-hearted": "가벼운",
    "feel-good": "따뜻한", "funny": "유쾌한", "dark": "어두운", "intense": "긴장감 있는",
    "sad": "슬픈", "moving": "감동적인", "thought-provoking": "생각할 거리가 있는",
    "mind-bending": "반전 있는", "scary": "무서운", "violent": "잔인한", "epic": "웅장한",
    "character-driven": "인물 중심의", "atmospheric": "몽환적인", "quirky": "독특한",
    "nostalgic": "향수를 부르는", "inspiring": "희망적인", "beautiful": "영상미 있는",
    "fun": "신나는", "romantic": "달달한", "true story": "실화 바탕",
    "strong female lead": "여성 주인공",
}  # fmt: skip
