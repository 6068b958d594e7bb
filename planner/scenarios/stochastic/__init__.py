"""Two-stage stochastic, CVaR and minimax-regret planning over futures (issue 13).

`spec.load_stochastic` reads a stochastic file (futures with probabilities, or drawn ones),
`run.solve_stochastic` builds every future's model on one layout (`problem`), solves the extensive
form (`extensive`) and/or the L-shaped decomposition (`benders`, futures on Dask workers through
`pool`, each worker keeping one `subproblem` changed in place), and measures VSS, EVPI and regret;
`run.write_outcome` writes the tables and the robustness section (`words`).
"""
