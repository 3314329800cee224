"""A minimal stand-in of AlphaFold 3's package layout, for foldfit's tests."""
