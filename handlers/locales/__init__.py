"""Message catalogs, one module per language (en is the reference)."""
