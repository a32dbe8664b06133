"""From names to entities: the registry, the name matcher, derived relations (lead body,
document events, memberships) and the unknown-name candidates.

It reads the document model from `pages` and knows no RDF.
"""
