"""The demo's 给据邮件跟踪 (postqc.core.demo loader)."""


def load(*, stdout, seed: int) -> None:
    pass


def reset(*, stdout) -> None:
    pass
