"""Grading of one response against one question version: the single rule practice,
mock exams and competitions all use.

A response is a list of strings (see learning.models). 单选/判断 must match exactly,
多选 must name exactly the right set (no partial credit), 填空 matches any accepted
variant after normalising width, case and surrounding blanks.
"""
from __future__ import annotations

import unicodedata

from .models import OPTION_KEYS, QuestionVersion

Type = QuestionVersion.Type


class InvalidResponse(ValueError):
    """The response is not a well-formed answer to this question (not merely a wrong one)."""


def normalise_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).strip().casefold().split())


def clean_response(version: QuestionVersion, response: list[str]) -> list[str]:
    """Validate the shape of a response and return it in canonical form."""
    if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
        raise InvalidResponse("response must be a list of strings")
    if version.type == Type.FILL:
        if len(response) != 1 or not response[0].strip():
            raise InvalidResponse("a 填空 answer is one non-empty text")
        return [response[0].strip()[:200]]
    if version.type == Type.TRUE_FALSE:
        if response not in (["T"], ["F"]):
            raise InvalidResponse('a 判断 answer is ["T"] or ["F"]')
        return response
    keys = set(OPTION_KEYS[: len(version.options)])
    chosen = sorted(set(response))
    if not chosen or not set(chosen) <= keys:
        raise InvalidResponse(f"options must be among {''.join(sorted(keys))}")
    if version.type == Type.SINGLE and len(chosen) != 1:
        raise InvalidResponse("a 单选 answer names exactly one option")
    return chosen


def is_correct(version: QuestionVersion, response: list[str]) -> bool:
    """Whether a cleaned response is right."""
    if version.type == Type.FILL:
        accepted = {normalise_text(a) for a in version.answer}
        return normalise_text(response[0]) in accepted
    return sorted(response) == sorted(version.answer)
