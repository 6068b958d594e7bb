"""Stage 5, verify: every constraint and cost re-checked from a plan folder, sharing no code with the model builder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.verify.check import VerifyReport, verify_outputs

__all__ = ["VerifyReport", "verify_outputs"]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - the checker's names, loaded on first use
    """`planner.verify.verify_outputs` etc. load the checks on first use: a run reads only `verify.base`."""
    if name in __all__:
        from planner.verify import check

        return getattr(check, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
