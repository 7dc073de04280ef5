"""The one error type that every kamcourse calculation raises on bad input."""

from __future__ import annotations


class KamcourseError(ValueError):
    """Bad input, explained in Chinese for the trainee.

    ``field`` names the input at fault (as the trainee sees it); ``message`` is the
    full Chinese sentence shown in the page.

    >>> err = KamcourseError("应收账款", "不能为负数")
    >>> str(err)
    '应收账款：不能为负数'
    >>> err.field
    '应收账款'
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}：{problem}")

    @property
    def message(self) -> str:
        return str(self)
