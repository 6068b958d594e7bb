"""Stage 6, analysis: pre-solve checks and the diagnosis of infeasible or unmet-demand plans, in the planner's words."""
