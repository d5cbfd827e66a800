"""The grounded engine's reasoning: persona and reasons counted from catalogue facts, no model.

It is the embedded default and the fallback for every LLM failure, so it never fails and never
invents: each statement is counted from the user's own movies (`taste`), or taken from the
evidence the recommender handed in with a candidate (its nearest movies, the request constraints
it meets), and every sentence comes from the phrase tables (`llm_worker.phrases`). It reads
`MovieBrief.facts` (structured catalogue data), never the description text. The backend that
answers the pipeline with it is `llm_worker.backends.grounded.GroundedBackend`.
"""
