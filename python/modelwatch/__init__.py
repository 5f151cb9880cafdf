"""modelwatch: ML model monitoring that lives in the SQL warehouse.

The dbt project beside this package does the work; this package is the thin layer around it:
configuration, running dbt, p-values SQL cannot compute, demo data and the alert summary.
"""

__version__ = "0.1.0"
