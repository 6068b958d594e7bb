"""Stage 4, results: solver values -> tidy tables and KPIs -> the plan folder, and reading plan folders back."""
