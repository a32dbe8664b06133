"""Package data: the SPARQL catalogue, one question per .rq file."""
