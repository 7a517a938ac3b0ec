"""Platform vocabularies, kept as TOML data (see :meth:`engagemetrics.Taxonomy.for_platform`)."""
