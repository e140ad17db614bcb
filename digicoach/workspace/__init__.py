"""The workspace home at /work: where staff and digicoaches land after signing in.

It reads, never writes: every figure comes from the same query function as the page it links
to, so the number on the home is the number the reader finds one click further.
"""
