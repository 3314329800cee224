"""A stand-in for the parts of absl-py that run_alphafold.py uses (app.run, flags): tests only."""
