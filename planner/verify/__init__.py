"""Stage 5, verify: every constraint and cost re-checked from a plan folder, sharing no code with the model builder."""

from planner.verify.check import VerifyReport, verify_outputs

__all__ = ["VerifyReport", "verify_outputs"]
