"""Stage 1, inputs: the case on disk -> a validated `Inputs` (schema, reading, overlays, cross-checks, time series)."""
