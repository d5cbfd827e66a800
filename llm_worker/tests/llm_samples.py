# ruff: noqa: E501  (sample catalogue rows read best one per line)
"""Plain sample inputs for the LLM-layer tests (no Django): a user who watches crime dramas."""

from __future__ import annotations

from llm_worker.contracts import (
    CandidateBrief,
    MovieBrief,
    PersonaInput,
    RerankInput,
    UserProfile,
)

WATCHED_EN = (
    MovieBrief(1, "Heat", 1995, "Heat (1995). Genres: Crime, Drama, Thriller. Director: Michael Mann. Keywords: heist, los angeles."),
    MovieBrief(2, "Collateral", 2004, "Collateral (2004). Genres: Crime, Drama, Thriller. Director: Michael Mann. Keywords: hitman, los angeles."),
    MovieBrief(3, "Se7en", 1995, "Se7en (1995). Genres: Crime, Mystery, Thriller. Director: David Fincher. Keywords: serial killer, detective."),
    MovieBrief(4, "Zodiac", 2007, "Zodiac (2007). Genres: Crime, Drama, Mystery. Director: David Fincher. Keywords: serial killer, journalist."),
    MovieBrief(5, "The Departed", 2006, "The Departed (2006). Genres: Crime, Drama, Thriller. Director: Martin Scorsese. Keywords: undercover, police."),
)  # fmt: skip

CANDIDATES_EN = (
    CandidateBrief(10, "Thief", 1981, "Thief (1981). Genres: Crime, Drama. Director: Michael Mann. Keywords: heist.", 0.9, "popularity", (1,)),
    CandidateBrief(11, "Toy Story", 1995, "Toy Story (1995). Genres: Animation, Comedy, Family. Director: John Lasseter.", 0.8, "popularity", ()),
    CandidateBrief(12, "Prisoners", 2013, "Prisoners (2013). Genres: Crime, Drama, Mystery. Director: Denis Villeneuve. Keywords: detective.", 0.7, "popularity", (3, 4)),
    CandidateBrief(13, "Mamma Mia!", 2008, "Mamma Mia! (2008). Genres: Comedy, Musical, Romance. Director: Phyllida Lloyd.", 0.6, "popularity", ()),
    CandidateBrief(14, "Gone Girl", 2014, "Gone Girl (2014). Genres: Crime, Drama, Mystery, Thriller. Director: David Fincher. Keywords: journalist.", 0.5, "popularity", (4,)),
    CandidateBrief(15, "Up", 2009, "Up (2009). Genres: Animation, Adventure, Family. Director: Pete Docter.", 0.4, "popularity", ()),
)  # fmt: skip

WATCHED_KO = (
    MovieBrief(21, "살인의 추억", 2003, "살인의 추억 (2003). 장르: 범죄, 드라마, 미스터리 · 감독: 봉준호 · 키워드: 연쇄살인, 형사"),
    MovieBrief(22, "마더", 2009, "마더 (2009). 장르: 범죄, 드라마, 미스터리 · 감독: 봉준호 · 키워드: 모성, 살인"),
    MovieBrief(23, "추격자", 2008, "추격자 (2008). 장르: 범죄, 스릴러 · 감독: 나홍진 · 키워드: 연쇄살인"),
)  # fmt: skip

CANDIDATES_KO = (
    CandidateBrief(30, "곡성", 2016, "곡성 (2016). 장르: 미스터리, 공포, 스릴러 · 감독: 나홍진", 0.9, "popularity", (23,)),
    CandidateBrief(31, "기생충", 2019, "기생충 (2019). 장르: 드라마, 스릴러 · 감독: 봉준호", 0.8, "popularity", (21, 22)),
    CandidateBrief(32, "겨울왕국", 2013, "겨울왕국 (2013). 장르: 애니메이션, 가족, 뮤지컬 · 감독: 크리스 벅", 0.7, "popularity", ()),
)  # fmt: skip

PROFILE_EN = UserProfile(language="en", age=34, gender="F", occupation="writer")
PROFILE_KO = UserProfile(language="ko", age=28, gender="M", occupation="학생")


def persona_input(language: str = "en", correction: str = "") -> PersonaInput:
    if language == "ko":
        return PersonaInput(profile=PROFILE_KO, watched=WATCHED_KO, correction=correction)
    return PersonaInput(profile=PROFILE_EN, watched=WATCHED_EN, correction=correction)


def rerank_input(language: str = "en", k: int = 3, **extra) -> RerankInput:
    if language == "ko":
        return RerankInput(
            profile=PROFILE_KO,
            persona_summary="봉준호 감독의 범죄 미스터리를 좋아함",
            watched=WATCHED_KO,
            candidates=CANDIDATES_KO,
            k=k,
            **extra,
        )
    return RerankInput(
        profile=PROFILE_EN,
        persona_summary="Likes slow, tense crime dramas by Michael Mann and David Fincher.",
        watched=WATCHED_EN,
        candidates=CANDIDATES_EN,
        k=k,
        **extra,
    )
