"""One module per report section (NannyML's `plots/blueprints` level): each has
`render(data, models) -> str`, the section's HTML body, and renders whatever exists (a table
that is not built gives a short note).
"""
