"""What the page must say for each degradation code, ko and en (copied from the .po files on
purpose: a missing or changed translation fails the page tests)."""

from __future__ import annotations

from llm_worker.contracts import Degraded

# A technical detail that must never reach a page: an exception text, a host, an English phrase.
DETAIL = "ConnectionError: HTTPConnectionPool(host='10.0.0.7') read timed out; Traceback"

KO = {
    Degraded.TIMEOUT: "언어 모델의 답이 너무 늦었어요.",
    Degraded.BACKEND_UNAVAILABLE: "언어 모델을 시작하지 못했어요.",
    Degraded.LLM_UNAVAILABLE: "언어 모델이 응답하지 않았어요.",
    Degraded.UNPARSEABLE: "언어 모델의 답을 사용할 수 없었어요.",
    Degraded.WRONG_LANGUAGE: "언어 모델이 다른 언어로 답했어요.",
    Degraded.VERBALIZER_FAILED: "언어 모델이 영화 순위를 정하지 못했어요.",
    Degraded.PARTIAL_RANKING: (
        "언어 모델이 일부 영화만 골라서, 나머지는 추천 모델의 순서를 따랐어요."
    ),
    Degraded.MISSING_REASONS: "설명 중 일부는 언어 모델이 아니라 회원님이 본 영화에서 나왔어요.",
    Degraded.TASTE_SEARCH_UNAVAILABLE: (
        "말씀하신 취향으로 찾는 검색을 지금 쓸 수 없어, 이 목록에는 반영되지 않았어요."
    ),
    Degraded.CHAT_REPLY_FAILED: "채팅 답변은 언어 모델 없이 작성됐어요.",
    Degraded.LIST_FAILED: "저희 쪽에서 문제가 생겼어요. 잠시 후 다시 시도해 주세요.",
}
KO_GENERIC = "이번에는 언어 모델을 사용할 수 없었어요."
EN = {
    Degraded.TIMEOUT: "The language model took too long to answer.",
    Degraded.LLM_UNAVAILABLE: "The language model did not answer.",
}
EN_GENERIC = "The language model could not help this time."


def assert_no_detail(html: str, code: Degraded | None = None) -> None:
    for leaked in ("ConnectionError", "10.0.0.7", "read timed out", "Traceback"):
        assert leaked not in html, leaked
    if code is not None:
        assert f"{code.value}:" not in html
