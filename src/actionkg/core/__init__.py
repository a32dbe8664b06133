"""The bottom layer every wing may use: errors and exit codes, configuration, package data,
the vocabulary, result terms, name folding, atomic file writing and RDF file reading.

It imports nothing else from actionkg, so any wing can lean on it without a cycle.
"""
