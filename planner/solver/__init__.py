"""Stage 3, solver: the array model handed to HiGHS (or CBC through PuLP), statuses, IIS."""
