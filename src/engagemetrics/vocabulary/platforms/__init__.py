"""Bundled vocabularies, kept as TOML data: one file each.

Social platforms (facebook, instagram, linkedin, tiktok, x, youtube; see
:meth:`engagemetrics.Taxonomy.for_platform`) and domains (``kind = "domain"``:
appointments, contact_centre, ecommerce, email, video; see
:meth:`engagemetrics.Taxonomy.for_vocabularies`). ``default.toml`` holds the canonical
actions every other file extends.
"""
