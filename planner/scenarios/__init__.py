"""Stage 8, scenarios: warm re-solves, comparisons of plans and sweeps over many scenarios."""
