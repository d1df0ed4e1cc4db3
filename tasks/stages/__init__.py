"""Per-document stages: decode, extract, language, normalize, verdict, and the driver that runs them."""
